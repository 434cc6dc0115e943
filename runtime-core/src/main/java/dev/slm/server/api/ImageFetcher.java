package dev.slm.server.api;

import dev.slm.openai.InvalidRequestException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BiFunction;

/**
 * Fetches an image URL of a chat request, when the config allows it ({@code fetch_image_urls}):
 * one GET, a time limit, and at most the image size limit read; any failure is the client's 400.
 */
final class ImageFetcher implements BiFunction<URI, Long, byte[]> {
    private final HttpClient client;
    private final Duration timeout;

    ImageFetcher(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    @Override
    public byte[] apply(URI url, Long maxBytes) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() / 100 != 2) {
                    throw failed(url, "HTTP " + response.statusCode());
                }
                byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (bytes.length > maxBytes) {
                    throw InvalidRequestException.invalid("image_url", "the image at " + url + " is larger than "
                            + maxBytes + " bytes (max_image_size)");
                }
                return bytes;
            }
        } catch (IOException e) {
            throw failed(url, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(url, "interrupted");
        }
    }

    private static InvalidRequestException failed(URI url, String why) {
        return InvalidRequestException.invalid("image_url", "could not fetch the image at " + url + ": " + why);
    }
}
