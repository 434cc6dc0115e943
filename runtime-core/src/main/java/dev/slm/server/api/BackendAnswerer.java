package dev.slm.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.routing.local.LocalAnswerer;
import dev.slm.routing.local.LocalFailureException;
import dev.slm.routing.local.LocalFailureException.Kind;
import dev.slm.openai.ChunkStream;
import dev.slm.openai.CompletionRequest;
import dev.slm.openai.OpenAiRequest;
import dev.slm.server.backend.Backend;
import dev.slm.server.backend.BackendException;
import dev.slm.server.backend.ModelRouter;
import dev.slm.server.backend.TextRequest;
import dev.slm.server.metrics.ServerMetrics;
import java.time.Duration;
import java.time.Instant;

/**
 * The local side of hybrid routing in {@code slm serve}: the server's own models (their runners),
 * answering with the same validation and the same OpenAI answers ({@link GeneratedAnswer}) as a
 * request that is not routed.
 *
 * <p>Failures a route may escalate become {@link LocalFailureException}s carrying the backend's
 * {@link BackendException} as their cause, so a request that stays here still gets the server's usual
 * error: a missing model or a failed load = model missing, busy = queue full, out of memory = out of
 * memory, a crash or another failure = error. A request the model rejected, or one out of time, is
 * thrown as it is: another model would not answer it better.
 */
final class BackendAnswerer implements LocalAnswerer {
    private final ModelRouter models;
    private final ServerMetrics metrics;
    private final Duration timeout;

    BackendAnswerer(ModelRouter models, ServerMetrics metrics, Duration timeout) {
        this.models = models;
        this.metrics = metrics;
        this.timeout = timeout;
    }

    @Override
    public ObjectNode complete(CompletionRequest request) {
        try (GeneratedAnswer answer = start(request)) {
            return answer.whole();
        } catch (BackendException e) {
            throw failure(e);
        }
    }

    @Override
    public ChunkStream stream(CompletionRequest request) {
        GeneratedAnswer answer;
        try {
            answer = start(request);
        } catch (BackendException e) {
            throw failure(e);
        }
        return new ChunkStream() {
            @Override
            public ObjectNode next() {
                try {
                    return answer.next();
                } catch (BackendException e) {
                    throw failure(e);
                }
            }

            @Override
            public void close() {
                answer.close();
            }
        };
    }

    private GeneratedAnswer start(CompletionRequest request) {
        long startNanos = System.nanoTime();
        // Parsed once, by the HTTP layer (or by the caller of the router): read here, not parsed again.
        OpenAiRequest parsed = request.parsed();
        Backend backend = models.route(parsed.model());
        TextRequest text = new TextRequest(parsed.prompt(), parsed.sampling(), Instant.now().plus(timeout));
        return new GeneratedAnswer(backend.generate(text), parsed.format(), backend.model(), metrics, startNanos);
    }

    /** A failure a route may escalate becomes the router's; the rest stay the server's own. */
    static RuntimeException failure(BackendException e) {
        Kind kind = switch (e.kind()) {
            case MISSING, NOT_LOADED -> Kind.MODEL_MISSING;
            case BUSY -> Kind.QUEUE_FULL;
            case OUT_OF_MEMORY -> Kind.OUT_OF_MEMORY;
            case CRASHED, STOPPED, FAILED -> Kind.ERROR;
            // Another model would not answer these better: a request the model refused, a deadline spent.
            case REJECTED, TIMEOUT -> null;
        };
        return kind == null ? e : new LocalFailureException(kind, e.getMessage(), e);
    }

    /** The server's own error for a local failure the router did not escalate. */
    static ApiException asApiException(LocalFailureException e) {
        return e.getCause() instanceof BackendException backend ? ApiException.of(backend)
                : new ApiException(503, "server_error", "local_failure", null, e.getMessage());
    }
}
