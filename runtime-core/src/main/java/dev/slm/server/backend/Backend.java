package dev.slm.server.backend;

import dev.slm.engine.OpenAiCall;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Whatever answers requests for one model name: a local model in a runner process today, an
 * upstream OpenAI-compatible server tomorrow. A backend does its own admission: it may wait for a
 * slot until the request's deadline, or refuse at once.
 */
public interface Backend {

    /** The name clients use for it. */
    String model();

    /**
     * Starts a generation.
     *
     * @throws BackendException busy, not loaded, out of memory, stopped, or rejected (a request it cannot take)
     */
    TextStream generate(TextRequest request);

    /**
     * Starts a request answered by llama.cpp's own OpenAI handler of {@code route} (tool calls, which
     * slm's own generation path does not do); {@code body} is llama-server's request body.
     *
     * @throws BackendException as {@link #generate}; rejected where this backend has no such handler
     */
    default OpenAiCall openAi(String route, String body, Instant deadline) {
        throw BackendException.rejected(null, "model '" + model() + "' cannot answer this request: it needs llama.cpp's own "
                + route + " handler");
    }

    /** Whether it takes images in chat messages (a local model opened with its vision projector). */
    default boolean seesImages() {
        return false;
    }

    /** How many LoRA adapters it was opened with: the ids a request's {@code lora} field may name. */
    default int loraAdapters() {
        return 0;
    }

    /** A served variant's system prompt and parameters, for the fields a request leaves out. */
    default RequestDefaults defaults() {
        return RequestDefaults.NONE;
    }

    /** The model file's header (architecture, size, quantization), or null where there is no local file. */
    default dev.slm.gguf.GgufFile header() {
        return null;
    }

    /**
     * Makes its context at least {@code tokens} (Ollama's {@code num_ctx}), reloading it if it has
     * less.
     *
     * @throws BackendException rejected where it cannot; timeout when that waits past {@code deadline}
     */
    default void widenContext(int tokens, Instant deadline) {
        throw BackendException.rejected("options.num_ctx", "model '" + model() + "' cannot change its context");
    }

    /**
     * Loads the model now unless it is loaded (Ollama's {@code /api/generate} without a prompt), in a
     * slot of its own, so the load waits its turn and counts against the memory budget as a
     * request's would. A backend that loads nothing here does nothing.
     *
     * @throws BackendException as a request's load would (overloaded, out of memory, timeout...)
     */
    default void load(Instant deadline) {
    }

    /**
     * Ollama's {@code keep_alive}: how long it stays loaded after its requests (zero: unloaded once
     * they end; negative: for good; null: as configured). A backend that loads nothing has nothing
     * to keep: null is a no-op for it, any other value rejected.
     */
    default void keepAlive(Duration keepAlive) {
        if (keepAlive != null) {
            throw BackendException.rejected("keep_alive", "model '" + model() + "' is not loaded by this server: keep_alive does not apply");
        }
    }

    /** Embeds each input. */
    Embeddings embed(List<String> inputs, Instant deadline);
}
