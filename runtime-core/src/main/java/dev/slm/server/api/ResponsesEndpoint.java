package dev.slm.server.api;

import dev.slm.openai.LlamaServerRequest;
import dev.slm.server.backend.ModelRouter;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code POST /v1/responses}, OpenAI's Responses API (text and tools), answered by llama.cpp's own
 * handler in the model's runner, with the server's token cap.
 */
final class ResponsesEndpoint implements PathHandler {
    private final ModelRouter router;
    private final LlamaServerResponder responder;
    private final int maxTokens;
    private final Duration timeout;

    ResponsesEndpoint(ModelRouter router, LlamaServerResponder responder, int maxTokens, Duration timeout) {
        this.router = router;
        this.responder = responder;
        this.maxTokens = maxTokens;
        this.timeout = timeout;
    }

    @Override
    public void handle(ApiExchange ex) throws IOException {
        LlamaServerRequest request = LlamaServerRequest.parseResponses(ex.readJsonObject(), maxTokens);
        ex.note(request.model(), null);
        responder.respond(ex, router.route(request.model()), request, Instant.now().plus(timeout));
    }
}
