package dev.slm.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.routing.HybridRouter;
import dev.slm.routing.RouteDecision;
import dev.slm.routing.RoutedResponse;
import dev.slm.routing.RoutedStream;
import dev.slm.routing.local.LocalFailureException;
import dev.slm.openai.CompletionRequest;
import dev.slm.openai.OpenAiRequest;
import dev.slm.routing.upstream.UpstreamException;
import java.io.IOException;

/**
 * Answers a generation request through hybrid routing: the router picks the local model or an
 * upstream, and the answer says which in the {@value RouteDecision#HEADER} header (and in
 * {@code usage.slm_route}). An upstream failure the route does not fall back from is a 502 naming
 * the upstream; a stream's route is settled before its first chunk, so the header always tells the truth.
 */
final class RoutedResponder {
    private final HybridRouter router;
    private final GenerationResponder responder;

    RoutedResponder(HybridRouter router, GenerationResponder responder) {
        this.router = router;
        this.responder = responder;
    }

    /** @param body the client's body, which {@code parsed} was parsed from: what goes upstream */
    void respond(ApiExchange ex, OpenAiRequest parsed, ObjectNode body) throws IOException {
        CompletionRequest request = CompletionRequest.of(parsed, body, ex.http().getRequestHeaders());
        write(ex, request, parsed.stream(), () -> router.complete(request), () -> router.stream(request));
    }

    /** The router, for a request the endpoint routes itself (one with images). */
    HybridRouter router() {
        return router;
    }

    /** Sends a request already decided upstream ({@link HybridRouter#decideWithImages}) and writes the answer. */
    void respondUpstream(ApiExchange ex, CompletionRequest request, RouteDecision decision, boolean stream) throws IOException {
        write(ex, request, stream, () -> router.completeUpstream(request, decision),
                () -> router.streamUpstream(request, decision));
    }

    private void write(ApiExchange ex, CompletionRequest request, boolean stream,
                       java.util.function.Supplier<RoutedResponse> whole,
                       java.util.function.Supplier<RoutedStream> streamed) throws IOException {
        try {
            if (!stream) {
                RoutedResponse answer = whole.get();
                ex.http().getResponseHeaders().set(RouteDecision.HEADER, answer.decision().label());
                ex.sendJson(200, answer.body());
                return;
            }
            RoutedStream chunks = streamed.get();
            ex.http().getResponseHeaders().set(RouteDecision.HEADER, chunks.decision().label());
            try (chunks) {
                responder.writeEvents(ex, new AnswerChunks() {
                @Override
                public ObjectNode next() {
                    try {
                        return chunks.next();
                    } catch (UpstreamException e) {
                        throw badGateway(e);
                    } catch (LocalFailureException e) {
                        throw BackendAnswerer.asApiException(e);
                    }
                }

                @Override
                public void cancel() {
                    chunks.close();
                }

                @Override
                public void close() {
                    chunks.close();
                }
                }, request.model());
            }
        } catch (UpstreamException e) {
            throw badGateway(e);
        } catch (LocalFailureException e) {
            throw BackendAnswerer.asApiException(e);
        }
    }

    private static ApiException badGateway(UpstreamException e) {
        return new ApiException(502, "server_error", "upstream_failed", null, e.getMessage());
    }
}
