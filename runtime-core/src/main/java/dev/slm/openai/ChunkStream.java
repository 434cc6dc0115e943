package dev.slm.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A streamed answer: the chunks of an OpenAI-style event stream ({@code chat.completion.chunk} or
 * {@code text_completion} objects), one {@code data:} event each, pulled one at a time.
 *
 * <p>Not thread-safe: one consumer pulls. {@link #close()} may be called at any point (a client that
 * went away) and ends the work behind the stream.
 */
public interface ChunkStream extends AutoCloseable {

    /**
     * The next chunk, or {@code null} once the stream has ended normally ({@code [DONE]}). Failures
     * are thrown (an {@code UpstreamException} for an upstream, a {@code LocalFailureException} or an
     * {@code SlmException} for the local model).
     */
    ObjectNode next();

    @Override
    void close();
}
