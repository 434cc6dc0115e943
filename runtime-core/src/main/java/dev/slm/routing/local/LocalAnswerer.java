package dev.slm.routing.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.openai.ChunkStream;
import dev.slm.openai.CompletionRequest;
import java.util.OptionalInt;

/**
 * The local side of hybrid routing: answers a request with a model on this machine. {@code slm serve}
 * implements it over its model runners; {@link InProcessAnswerer} over models loaded in this JVM.
 *
 * <p>The request's {@code model} is the local model to use (the router has already put the route's
 * local model there). Answers are OpenAI-shaped and should carry {@code usage}; streams should end
 * with a usage chunk when the request has {@code stream_options.include_usage} (the router counts
 * tokens from it).
 */
public interface LocalAnswerer {

    /**
     * The whole answer ({@code chat.completion} or {@code text_completion}).
     *
     * @throws LocalFailureException when the local model cannot answer (missing, out of memory, queue
     *                               full...): the router may then escalate.
     */
    ObjectNode complete(CompletionRequest request);

    /**
     * Starts a streamed answer. A failure known before the first chunk is thrown here or by the
     * stream's first {@code next()}; the router may still escalate then.
     *
     * @throws LocalFailureException as for {@link #complete}.
     */
    ChunkStream stream(CompletionRequest request);

    /** Tokens {@code text} is for {@code model}, when this answerer can count them. */
    default OptionalInt countTokens(String model, String text) {
        return OptionalInt.empty();
    }
}
