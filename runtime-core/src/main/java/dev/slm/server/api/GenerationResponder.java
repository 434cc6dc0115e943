package dev.slm.server.api;

import dev.slm.engine.Completion;
import dev.slm.engine.GenerationEvent;
import dev.slm.server.ApiException;
import dev.slm.server.backend.Backend;
import dev.slm.server.backend.TextRequest;
import dev.slm.server.backend.TextStream;
import dev.slm.server.metrics.ServerMetrics;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a generation on its backend and writes it out, whole or streamed. Streaming waits for the
 * first event before it commits to status 200, so a request the model rejects still gets its 4xx;
 * after that, a failure becomes an error event. A client that goes away mid-stream (a write fails)
 * cancels the generation, which frees its slot.
 */
final class GenerationResponder {
    private static final Logger log = LoggerFactory.getLogger(GenerationResponder.class);

    private final ServerMetrics metrics;

    GenerationResponder(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    void respond(ApiExchange ex, Backend backend, TextRequest request, boolean stream, CompletionFormat format,
                 long startNanos) throws IOException {
        try (TextStream events = backend.generate(request)) {
            GenerationEvent first = events.next();
            if (first instanceof GenerationEvent.Token) {
                metrics.timeToFirstToken.observe((System.nanoTime() - startNanos) / 1e9, backend.model());
            }
            if (!stream) {
                Completion c = rest(events, first);
                record(ex, backend, c);
                ex.sendJson(200, format.whole(c.text(), CompletionFormat.finishReason(c.stopReason()), c.usage()));
                return;
            }
            ApiExchange.EventStream sse = ex.startEventStream();
            try {
                if (format.opening() != null) {
                    sse.send(format.opening());
                }
                GenerationEvent event = first;
                while (true) {
                    if (event instanceof GenerationEvent.Token t) {
                        sse.send(format.chunk(t.text(), null));
                    } else if (event instanceof Completion c) {
                        record(ex, backend, c);
                        sse.send(format.chunk(null, CompletionFormat.finishReason(c.stopReason())));
                        if (format.usageInChunks) {
                            sse.send(format.usageChunk(c.usage()));
                        }
                        sse.done();
                        break;
                    }
                    try {
                        event = events.next();
                    } catch (ApiException e) {
                        // Too late for a status code: the stream ends with an error event, as OpenAI's does.
                        metrics.errors.inc(e.code());
                        log.warn("stream for model '{}' failed: {}", backend.model(), e.getMessage());
                        sse.send(ApiExchange.errorBody(e));
                        break;
                    }
                }
            } catch (IOException clientGone) {
                metrics.disconnects.inc();
                log.info("client went away mid-stream; cancelling its generation on model '{}'", backend.model());
                events.cancel();
            } finally {
                sse.close();
            }
        }
    }

    private static Completion rest(TextStream events, GenerationEvent first) {
        GenerationEvent event = first;
        while (!(event instanceof Completion c)) {
            event = events.next();
        }
        return c;
    }

    private void record(ApiExchange ex, Backend backend, Completion c) {
        ex.note(backend.model(), c.usage());
        metrics.promptTokens.add(c.usage().promptTokens(), backend.model());
        metrics.completionTokens.add(c.usage().completionTokens(), backend.model());
        if (c.usage().completionTokens() > 1) {
            metrics.tokensPerSecond.observe(c.timings().tokensPerSecond(), backend.model());
        }
    }
}
