package dev.slm.engine.llamacpp;

/**
 * The functions slm's own libjllama exports beside the binding's (native-profiles/native/src/jllama.cpp):
 * what the library is, and llama-bench's baseline loop. Only callable once {@link LlamaNativeLibrary}
 * has loaded slm's own build ({@link NativeBuild#isOwn()}); the binding's b4916 library has none of them.
 */
final class SlmNative {
    private SlmNative() {
    }

    /** "v0.5.0 (b1234-de3ff81)": the pinned release and llama.cpp's build id. */
    static native String llamaCppRelease();

    /** The architectures this llama.cpp can load, one per line (its llm_arch table). */
    static native String architectures();

    /** The devices ggml registered (name, description, backend), one per line. */
    static native String devices();

    /**
     * Asks a loaded model to compute with {@code threads} CPU threads (at least 1) from its next graph
     * on: llama.cpp's compute thread makes the change itself, between two operations of a graph, so
     * that it never races a decode. See {@link ThreadGovernor}.
     */
    static native void setThreads(de.kherud.llama.LlamaModel model, int threads);

    /** The CPU threads the model computes with; 0 where this library cannot change them. */
    static native int threadsInUse(de.kherud.llama.LlamaModel model);

    /** Drops llama.cpp's and ggml's log lines (they go to stderr otherwise). */
    static native void silenceLogs();

    /** Loads a model with llama.cpp's default model parameters; a handle for the bench calls. */
    static native long benchOpen(String path, int threads);

    /** Nanoseconds of each of {@code repetitions} runs decoding {@code tokens} random prompt tokens. */
    static native long[] benchPrompt(long handle, int tokens, int batch, int repetitions);

    /** Nanoseconds of each of {@code repetitions} runs decoding {@code tokens} tokens one at a time. */
    static native long[] benchGenerate(long handle, int tokens, int repetitions);

    static native void benchClose(long handle);

    /**
     * Hands an OpenAI-style request to llama-server's own route handler for {@code model}
     * ("/v1/chat/completions", "/v1/chat/completions/input_tokens", "/v1/completions", "/v1/responses", "/v1/embeddings", "/apply-template",
     * "/tokenize"); returns a call handle. Non-streamed answers are complete when this returns.
     */
    static native long oaiStart(de.kherud.llama.LlamaModel model, String route, String body);

    static native int oaiStatus(long call);

    static native boolean oaiIsStream(long call);

    /** The body, or a stream's first chunk, as UTF-8. */
    static native byte[] oaiBody(long call);

    /** A stream's next chunk as UTF-8 (possibly empty), or null at its end. */
    static native byte[] oaiNext(long call);

    /** Asks the generation to stop; from any thread. */
    static native void oaiCancel(long call);

    /** Frees the call; from the thread that reads it. */
    static native void oaiClose(long call);
}
