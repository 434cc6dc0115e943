package dev.slm.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.routing.local.LocalAnswerer;
import dev.slm.routing.local.LocalFailureException;
import dev.slm.routing.local.LocalFailureException.Kind;
import dev.slm.openai.ChunkStream;
import dev.slm.openai.CompletionRequest;
import dev.slm.openai.OpenAiRequest;
import dev.slm.server.backend.Backend;
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
 * <p>Failures a route may escalate become {@link LocalFailureException}s carrying the server's
 * {@link ApiException} as their cause, so a request that stays here still gets the server's usual
 * error: 404 or a failed load = model missing, 429 = queue full, 503 {@code memory_budget} = out of
 * memory, other 5xx = error. A 4xx about the request itself (or a 504) is thrown as it is: another
 * model would not answer it better.
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
        } catch (ApiException e) {
            throw failure(e);
        }
    }

    @Override
    public ChunkStream stream(CompletionRequest request) {
        GeneratedAnswer answer;
        try {
            answer = start(request);
        } catch (ApiException e) {
            throw failure(e);
        }
        return new ChunkStream() {
            @Override
            public ObjectNode next() {
                try {
                    return answer.next();
                } catch (ApiException e) {
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

    private static RuntimeException failure(ApiException e) {
        Kind kind = switch (e.status()) {
            case 404 -> Kind.MODEL_MISSING;
            case 429 -> Kind.QUEUE_FULL;
            case 503 -> switch (e.code()) {
                case "memory_budget" -> Kind.OUT_OF_MEMORY;
                case "model_load_failed", "runner_failed" -> Kind.MODEL_MISSING;
                default -> Kind.ERROR;
            };
            default -> e.status() >= 500 && e.status() != 504 ? Kind.ERROR : null;
        };
        return kind == null ? e : new LocalFailureException(kind, e.getMessage(), e);
    }

    /** The server's own error for a local failure the router did not escalate. */
    static ApiException asApiException(LocalFailureException e) {
        return e.getCause() instanceof ApiException api ? api
                : ApiException.unavailable("local_failure", e.getMessage());
    }
}
