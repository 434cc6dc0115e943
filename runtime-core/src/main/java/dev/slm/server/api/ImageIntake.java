package dev.slm.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.openai.ImageLimits;
import dev.slm.openai.ImageParts;
import dev.slm.server.backend.Backend;

/**
 * How the server takes the images of a request, on the OpenAI and the Ollama API alike: the
 * configured limits and one fetcher for {@code http(s)} URLs (when allowed), shared by every endpoint.
 */
final class ImageIntake {
    private final ImageLimits limits;
    private final ImageFetcher fetcher;

    ImageIntake(ImageLimits limits) {
        this.limits = limits;
        this.fetcher = new ImageFetcher(limits.fetchTimeout());
    }

    /** Checks every image part of {@code body} and rewrites it as a data: URL; the number of images. */
    int prepare(ObjectNode body) {
        return ImageParts.prepare(body, limits, fetcher);
    }

    /** A 400 naming the model when it has no vision projector. */
    static void requireSight(Backend backend, String model) {
        if (!backend.seesImages()) {
            throw ApiException.invalid("messages", "model '" + model + "' cannot see images: serve a vision model"
                    + " (a pulled vision model, or 'projector = FILE' in its [model] section)");
        }
    }
}
