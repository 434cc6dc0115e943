package dev.slm.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.openai.CompletionEndpoint;
import dev.slm.openai.CompletionRequest;
import dev.slm.routing.RouteDecision;
import dev.slm.openai.ImageParts;
import dev.slm.openai.LlamaServerRequest;
import dev.slm.openai.OpenAiRequest;
import dev.slm.server.backend.BackendException;
import dev.slm.server.backend.Backend;
import dev.slm.server.backend.ModelRouter;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/completions}: validate the body, ask the
 * router which backend answers its model, and write the answer. With hybrid routing configured, the
 * routing layer decides instead whether the local model or an upstream answers.
 */
final class GenerationEndpoint implements PathHandler {
    private final boolean chat;
    private final ModelRouter router;
    private final GenerationResponder responder;
    private final int maxTokens;
    private final Duration timeout;
    private final RoutedResponder hybrid;
    private final LlamaServerResponder llamaServer;
    private final ImageIntake images;

    /** @param hybrid hybrid routing, or null when every request is answered by its model here */
    GenerationEndpoint(boolean chat, ModelRouter router, GenerationResponder responder, RoutedResponder hybrid,
                       LlamaServerResponder llamaServer, ImageIntake images, int maxTokens, Duration timeout) {
        this.chat = chat;
        this.images = images;
        this.llamaServer = llamaServer;
        this.hybrid = hybrid;
        this.router = router;
        this.responder = responder;
        this.maxTokens = maxTokens;
        this.timeout = timeout;
    }

    @Override
    public void handle(ApiExchange ex) throws IOException {
        long start = System.nanoTime();
        ObjectNode body = ex.readJsonObject();
        variantDefaults(body);
        if (chat && LlamaServerRequest.wanted(body)) {
            // Tool calls and system messages after the first turn: llama.cpp's own chat handler,
            // for the model the request names (hybrid routes do not carry tools).
            LlamaServerRequest request = LlamaServerRequest.parse(body, maxTokens);
            ex.note(request.model(), null);
            if (hybrid == null && ImageParts.present(body)) {
                ImageIntake.requireSight(router.route(request.model()), request.model());  // before any image work
            }
            // Always: llama.cpp's handler would fetch a URL it finds in a content part itself.
            boolean hasImages = images.prepare(body) > 0;
            String answering = request.model();
            if (hasImages && hybrid != null && !LlamaServerRequest.wanted(ImageParts.withoutImages(body))) {
                // Images follow their route like any other request; only tools stay off routes.
                OpenAiRequest text = OpenAiRequest.parse(CompletionEndpoint.CHAT_COMPLETIONS,
                        ImageParts.withoutImages(body), maxTokens);
                CompletionRequest routed = CompletionRequest.of(text, body, ex.http().getRequestHeaders());
                RouteDecision decision = hybrid.router().decideWithImages(routed);
                if (!decision.isLocal()) {
                    hybrid.respondUpstream(ex, routed, decision, text.stream());
                    return;
                }
                answering = hybrid.router().localModelFor(request.model());
                ex.http().getResponseHeaders().set(RouteDecision.HEADER, decision.label());
            }
            Backend backend = router.route(answering);
            requireAdapters(backend, answering, LlamaServerRequest.loraIds(body));
            if (hasImages) {
                ImageIntake.requireSight(backend, answering);
                request = LlamaServerRequest.parse(body, maxTokens);
            }
            llamaServer.respond(ex, backend, request, Instant.now().plus(timeout));
            return;
        }
        if (!chat && (LlamaServerRequest.wantsLlamaFields(body) || body.has("lora"))) {
            // llama.cpp's fields (grammar, n_predict, mirostat, logit_bias, logprobs, lora...): its handler applies them.
            LlamaServerRequest request = LlamaServerRequest.parseText(body, maxTokens);
            ex.note(request.model(), null);
            Backend backend = router.route(request.model());
            requireAdapters(backend, request.model(), LlamaServerRequest.loraIds(body));
            llamaServer.respond(ex, backend, request, Instant.now().plus(timeout));
            return;
        }
        OpenAiRequest request = OpenAiRequest.parse(chat ? CompletionEndpoint.CHAT_COMPLETIONS : CompletionEndpoint.COMPLETIONS,
                body, maxTokens);
        ex.note(request.model(), null);
        if (hybrid != null) {
            hybrid.respond(ex, request, body);
            return;
        }
        Backend backend = router.route(request.model());
        responder.respond(ex, backend, request, Instant.now().plus(timeout), start);
    }

    /** A variant served by name fills what the request leaves out (its system prompt, its parameters). */
    private void variantDefaults(ObjectNode body) {
        if (!body.path("model").isTextual()) {
            return;  // the parser names the missing field
        }
        Backend backend;
        try {
            backend = router.route(body.path("model").asText());
        } catch (BackendException notLocal) {
            return;  // a route name, or unknown: answered below
        }
        backend.defaults().applyTo(body, chat);
    }

    private static void requireAdapters(Backend backend, String model, java.util.List<Integer> ids) {
        int count = backend.loraAdapters();
        for (int id : ids) {
            if (id >= count) {
                throw ApiException.invalid("lora", "model '" + model + "' has " + (count == 0 ? "no LoRA adapters"
                        : count + " LoRA adapter" + (count == 1 ? " (id 0)" : "s (ids 0 to " + (count - 1) + ")"))
                        + ", not id " + id + ": list them with 'lora = FILE[:SCALE], ...' in its [model] section");
            }
        }
    }
}
