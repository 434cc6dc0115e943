package dev.slm.server.api;

import dev.slm.server.backend.Backend;
import dev.slm.server.backend.ModelRouter;
import java.io.IOException;
import java.time.Duration;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/completions}: validate the body, ask the
 * router which backend answers its model, and write the answer.
 */
final class GenerationEndpoint implements Endpoint {
    private final boolean chat;
    private final ModelRouter router;
    private final GenerationResponder responder;
    private final int maxTokens;
    private final Duration timeout;

    GenerationEndpoint(boolean chat, ModelRouter router, GenerationResponder responder, int maxTokens, Duration timeout) {
        this.chat = chat;
        this.router = router;
        this.responder = responder;
        this.maxTokens = maxTokens;
        this.timeout = timeout;
    }

    @Override
    public void handle(ApiExchange ex) throws IOException {
        long start = System.nanoTime();
        GenerationRequest request = GenerationRequest.parse(chat, ex.readJsonObject(), maxTokens, timeout);
        Backend backend = router.route(request.model());
        ex.note(request.model(), null);
        responder.respond(ex, backend, request, start);
    }
}
