package dev.slm.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.openai.OpenAiRequest;
import dev.slm.server.backend.Backend;
import dev.slm.server.backend.BackendException;
import dev.slm.server.backend.TextRequest;
import dev.slm.server.backend.TextStream;
import dev.slm.server.metrics.ServerMetrics;
import java.io.IOException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a generation on its backend and writes the answer, whole or streamed. Streaming waits for the
 * first chunk before it commits to status 200, so a request the model rejects still gets its 4xx;
 * after that, a failure becomes an error event. A client that goes away mid-stream (a write fails)
 * cancels the generation, which frees its slot.
 */
final class GenerationResponder {
    private static final Logger log = LoggerFactory.getLogger(GenerationResponder.class);

    private final ServerMetrics metrics;

    GenerationResponder(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    void respond(ApiExchange ex, Backend backend, OpenAiRequest request, Instant deadline, long startNanos) throws IOException {
        TextStream events = backend.generate(new TextRequest(request.prompt(), request.sampling(), deadline));
        try (GeneratedAnswer answer = new GeneratedAnswer(events, request.format(), backend.model(), metrics, startNanos)) {
            if (!request.stream()) {
                ObjectNode whole = answer.whole();
                ex.note(backend.model(), answer.completion().usage());
                ex.sendJson(200, whole);
                return;
            }
            writeEvents(ex, answer, backend.model());
            if (answer.completion() != null) {
                ex.note(backend.model(), answer.completion().usage());
            }
        }
    }

    /** Writes {@code chunks} as Server-Sent Events, {@code [DONE]} after the last. */
    void writeEvents(ApiExchange ex, AnswerChunks chunks, String model) throws IOException {
        ObjectNode first = chunks.next();
        ApiExchange.EventStream sse = ex.startEventStream();
        try {
            ObjectNode chunk = first;
            while (chunk != null) {
                sse.send(chunk);
                try {
                    chunk = chunks.next();
                } catch (ApiException | BackendException failure) {
                    // Too late for a status code: the stream ends with an error event, as OpenAI's does.
                    ApiException e = ApiException.from(failure);
                    metrics.errors.inc(e.code());
                    log.warn("stream for model '{}' failed: {}", model, e.getMessage());
                    sse.error(ApiExchange.errorBody(e));
                    return;
                }
            }
            sse.done();
        } catch (IOException clientGone) {
            metrics.disconnects.inc();
            log.info("client went away mid-stream; cancelling its generation on model '{}'", model);
            chunks.cancel();
        } finally {
            sse.close();
        }
    }
}
