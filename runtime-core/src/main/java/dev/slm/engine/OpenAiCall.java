package dev.slm.engine;

/**
 * One OpenAI-style request answered by llama.cpp's own server code for this model, in process: the
 * same handler llama-server runs for {@code /v1/chat/completions} and friends (chat templates with
 * tools, tool-call parsing, response formats, penalties, log-probabilities). The answer is what
 * llama-server would send: one JSON body, or a stream of SSE chunks.
 *
 * <p>Read it from one thread ({@link #nextChunk()}, then {@link #close()}); {@link #cancel()} may
 * come from any thread.
 */
public interface OpenAiCall extends AutoCloseable {
    /** The HTTP status llama-server would answer with (200, or its 4xx/5xx with an error body). */
    int status();

    /** Whether the answer is a stream (then {@link #body()} is its first chunk). */
    boolean streaming();

    /** The whole JSON body, or the first SSE chunk of a stream. */
    String body();

    /** The next SSE chunk of a stream (possibly empty), or null once it has ended. Blocks until then. */
    String nextChunk();

    /** Asks the generation to stop at its next token. */
    void cancel();

    /** Ends the call, stopping what still runs. */
    @Override
    void close();
}
