package dev.slm.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A streamed answer as OpenAI writes it: {@code chat.completion.chunk} or {@code text_completion}
 * objects, one per {@code data:} event, pulled one at a time. The HTTP layer writes any source of
 * chunks the same way, whether a local model produced them or, later, an upstream server.
 */
interface AnswerChunks extends AutoCloseable {

    /**
     * The next chunk, or null after the last one.
     *
     * @throws ApiException when the answer fails
     */
    ObjectNode next();

    /** Stops the work behind the answer (the client went away). */
    void cancel();

    @Override
    void close();
}
