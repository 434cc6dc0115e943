package dev.slm.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.engine.Completion;
import dev.slm.engine.GenerationEvent;
import dev.slm.engine.OpenAiCall;
import dev.slm.engine.StopReason;
import dev.slm.engine.Usage;
import dev.slm.ollama.OllamaRequest;
import dev.slm.openai.CompletionEndpoint;
import dev.slm.openai.ImageParts;
import dev.slm.openai.LlamaServerRequest;
import dev.slm.openai.OpenAiRequest;
import dev.slm.server.backend.BackendException;
import dev.slm.server.backend.Backend;
import dev.slm.server.backend.ModelRouter;
import dev.slm.server.backend.TextRequest;
import dev.slm.server.backend.TextStream;
import dev.slm.server.metrics.ServerMetrics;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * Ollama's {@code POST /api/chat} and {@code POST /api/generate}, answered by the same models, with
 * the same limits and keys, as the OpenAI API: the request is read as its OpenAI equivalent
 * ({@link OllamaRequest}) and checked by the OpenAI codec; the answer is written as Ollama writes
 * it, NDJSON lines (one per token, then a last one with {@code done: true} and the counts) or one
 * object. Tool calls and system messages after the first turn go to llama.cpp's chat handler, as
 * on {@code /v1/chat/completions}.
 */
final class OllamaEndpoint implements PathHandler {
    private final boolean chat;
    private final ModelRouter router;
    private final ServerMetrics metrics;
    private final int maxTokens;
    private final Duration timeout;
    private final ImageIntake images;

    OllamaEndpoint(boolean chat, ModelRouter router, ServerMetrics metrics, ImageIntake images, int maxTokens,
                   Duration timeout) {
        this.chat = chat;
        this.images = images;
        this.router = router;
        this.metrics = metrics;
        this.maxTokens = maxTokens;
        this.timeout = timeout;
    }

    @Override
    public void handle(ApiExchange ex) throws IOException {
        long start = System.nanoTime();
        ObjectNode body = ex.readJsonObject();
        OllamaRequest request = chat ? OllamaRequest.chat(body) : OllamaRequest.generate(body);
        ex.note(request.model(), null);
        Backend backend = router.route(request.model());
        backend.defaults().applyTo(request.openAi(), request.chat());
        if (ImageParts.present(request.openAi())) {
            // Ollama's images, as OpenAI image parts: the same checks and limits as on /v1/chat/completions.
            ImageIntake.requireSight(backend, request.model());
            images.prepare(request.openAi());
        }
        Instant deadline = Instant.now().plus(timeout);
        if (request.numCtx() > 0) {
            backend.widenContext(request.numCtx(), deadline);
        }
        // As Ollama: each request says how long the model stays loaded after it (absent: the default).
        // Said before the answer goes out, so that the client's next call (`ps`) already sees it;
        // keep_alive 0 (unload) only once the answer is out.
        boolean unloadAfter = request.keepAlive() != null && request.keepAlive().isZero();
        if (!unloadAfter) {
            backend.keepAlive(request.keepAlive());
        }
        try {
            if (request.loadOnly()) {
                ObjectNode done = line(request.model());
                done.put("response", "");
                done.put("done", true);
                if (!unloadAfter) {
                    backend.load(deadline); // as Ollama: the model is in memory when the answer comes
                }
                done.put("done_reason", unloadAfter ? "unload" : "load");
                ex.sendJson(200, done);
            } else if (request.chat() && LlamaServerRequest.wanted(request.openAi())) {
                viaLlamaServer(ex, backend, request, deadline, start);
            } else {
                generate(ex, backend, request, deadline, start);
            }
        } finally {
            if (unloadAfter) {
                backend.keepAlive(request.keepAlive());
            }
        }
    }

    private void generate(ApiExchange ex, Backend backend, OllamaRequest request, Instant deadline, long start) throws IOException {
        OpenAiRequest parsed = OpenAiRequest.parse(request.chat() ? CompletionEndpoint.CHAT_COMPLETIONS : CompletionEndpoint.COMPLETIONS,
                request.openAi(), maxTokens);
        try (TextStream events = backend.generate(new TextRequest(parsed.prompt(), parsed.sampling(), deadline))) {
            if (!request.stream()) {
                GenerationEvent e = events.next();
                while (!(e instanceof Completion)) {
                    e = events.next(); // the whole text comes with the completion
                }
                Completion c = (Completion) e;
                ObjectNode whole = piece(request, c.text());
                finish(whole, c.stopReason(), c.usage(), start, c);
                counted(ex, request.model(), c.usage());
                ex.sendJson(200, whole);
                return;
            }
            GenerationEvent first = events.next(); // a request the model refuses still gets its 4xx
            ApiExchange.LineStream lines = ex.startLines();
            try {
                for (GenerationEvent e = first; ; e = next(events, lines)) {
                    if (e == null) {
                        return;
                    }
                    if (e instanceof GenerationEvent.Token t) {
                        lines.send(piece(request, t.text()));
                    } else if (e instanceof Completion c) {
                        ObjectNode last = piece(request, "");
                        finish(last, c.stopReason(), c.usage(), start, c);
                        counted(ex, request.model(), c.usage());
                        lines.send(last);
                        return;
                    }
                }
            } catch (IOException clientGone) {
                metrics.disconnects.inc();
                events.cancel();
            } finally {
                lines.close();
            }
        }
    }

    /** The next event, or null after writing a failure as Ollama does mid-stream: a line {"error": "..."}. */
    private GenerationEvent next(TextStream events, ApiExchange.LineStream lines) throws IOException {
        try {
            return events.next();
        } catch (BackendException e) {
            metrics.errors.inc(ApiException.of(e).code());
            lines.send(ApiExchange.JSON.createObjectNode().put("error", e.getMessage()));
            return null;
        }
    }

    /** Tools: llama.cpp's handler answers whole; streamed, Ollama too sends a call in one line. */
    private void viaLlamaServer(ApiExchange ex, Backend backend, OllamaRequest request, Instant deadline, long start) throws IOException {
        LlamaServerRequest parsed = LlamaServerRequest.parse(request.openAi(), maxTokens);
        try (OpenAiCall call = backend.openAi(parsed.route(), parsed.body(), deadline)) {
            JsonNode answer = ApiExchange.JSON.readTree(call.body());
            if (call.status() != 200) {
                throw new ApiException(call.status(), "invalid_request_error", "rejected_by_model", null,
                        answer.at("/error/message").asText("the model refused the request"));
            }
            JsonNode message = answer.at("/choices/0/message");
            ObjectNode out = line(request.model());
            ObjectNode m = out.putObject("message");
            m.put("role", "assistant");
            m.put("content", message.path("content").asText(""));
            if (message.path("tool_calls").isArray() && !message.path("tool_calls").isEmpty()) {
                ArrayNode calls = m.putArray("tool_calls");
                for (JsonNode c : message.path("tool_calls")) {
                    ObjectNode function = calls.addObject().putObject("function");
                    function.put("name", c.at("/function/name").asText());
                    function.set("arguments", arguments(c.at("/function/arguments").asText("{}")));
                }
            }
            Usage usage = new Usage(answer.at("/usage/prompt_tokens").asInt(), answer.at("/usage/completion_tokens").asInt());
            String reason = answer.at("/choices/0/finish_reason").asText("stop");
            counted(ex, request.model(), usage);
            if (!request.stream()) {
                finish(out, reason.equals("length") ? StopReason.LENGTH : StopReason.EOS, usage, start, null);
                ex.sendJson(200, out);
                return;
            }
            out.put("done", false);
            ApiExchange.LineStream lines = ex.startLines();
            try {
                lines.send(out);
                ObjectNode last = piece(request, "");
                finish(last, reason.equals("length") ? StopReason.LENGTH : StopReason.EOS, usage, start, null);
                lines.send(last);
            } finally {
                lines.close();
            }
        }
    }

    private static JsonNode arguments(String text) {
        try {
            return ApiExchange.JSON.readTree(text);
        } catch (IOException e) {
            return ApiExchange.JSON.getNodeFactory().textNode(text); // cut off by max_tokens: as far as it got
        }
    }

    private void counted(ApiExchange ex, String model, Usage usage) {
        metrics.promptTokens.add(usage.promptTokens(), model);
        metrics.completionTokens.add(usage.completionTokens(), model);
        ex.note(model, usage);
    }

    private static ObjectNode line(String model) {
        ObjectNode n = ApiExchange.JSON.createObjectNode();
        n.put("model", model);
        n.put("created_at", Instant.now().toString());
        return n;
    }

    /** One piece of the answer: {@code message} for chat, {@code response} for generate. */
    private ObjectNode piece(OllamaRequest request, String text) {
        ObjectNode n = line(request.model());
        if (chat) {
            n.putObject("message").put("role", "assistant").put("content", text);
        } else {
            n.put("response", text);
        }
        n.put("done", false);
        return n;
    }

    private static void finish(ObjectNode n, StopReason reason, Usage usage, long startNanos, Completion c) {
        n.put("done", true);
        n.put("done_reason", reason == StopReason.LENGTH ? "length" : "stop");
        long total = System.nanoTime() - startNanos;
        n.put("total_duration", total);
        n.put("load_duration", 0);
        n.put("prompt_eval_count", usage.promptTokens());
        long firstToken = c == null ? 0 : c.timings().timeToFirstToken().toNanos();
        n.put("prompt_eval_duration", firstToken);
        n.put("eval_count", usage.completionTokens());
        n.put("eval_duration", c == null ? total : Math.max(0, c.timings().total().toNanos() - firstToken));
    }
}
