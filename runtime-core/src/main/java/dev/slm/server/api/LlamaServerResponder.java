package dev.slm.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.engine.OpenAiCall;
import dev.slm.engine.Usage;
import dev.slm.openai.LlamaServerRequest;
import dev.slm.server.backend.BackendException;
import dev.slm.server.backend.Backend;
import dev.slm.server.metrics.ServerMetrics;
import java.io.IOException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what llama.cpp's own chat handler answered ({@link LlamaServerRequest}): its status and
 * body, or its SSE chunks, with the model named as the client named it (llama.cpp names the file).
 * A failure mid-stream ends the stream with an {@code event: error}; a client that goes away
 * cancels the generation.
 */
final class LlamaServerResponder {
    private static final Logger log = LoggerFactory.getLogger(LlamaServerResponder.class);

    private final ServerMetrics metrics;

    LlamaServerResponder(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    void respond(ApiExchange ex, Backend backend, LlamaServerRequest request, Instant deadline) throws IOException {
        String model = backend.model();
        try (OpenAiCall call = backend.openAi(request.route(), request.body(), deadline)) {
            if (!call.streaming()) {
                ObjectNode body = json(call.body());
                if (call.status() == 200) {
                    if (body.has("model")) {
                        body.put("model", model);
                    }
                    count(ex, model, body.path("usage"));
                }
                ex.sendJson(call.status(), body);
                return;
            }
            stream(ex, call, model);
        }
    }

    private void stream(ApiExchange ex, OpenAiCall call, String model) throws IOException {
        ApiExchange.EventStream sse = ex.startEventStream();
        try {
            for (String chunk = call.body(); chunk != null; chunk = next(call, sse, model)) {
                for (String event : chunk.split("\n\n")) {
                    if (!event.isBlank() && !relay(event.strip(), sse, ex, model)) {
                        return;
                    }
                }
            }
        } catch (IOException clientGone) {
            metrics.disconnects.inc();
            log.info("client went away mid-stream; cancelling its generation on model '{}'", model);
            call.cancel();
        } finally {
            sse.close();
        }
    }

    /** The next chunk; a failure becomes the stream's error event, and the end. */
    private String next(OpenAiCall call, ApiExchange.EventStream sse, String model) throws IOException {
        try {
            return call.nextChunk();
        } catch (ApiException | BackendException failure) {
            ApiException e = ApiException.from(failure);
            metrics.errors.inc(e.code());
            log.warn("stream for model '{}' failed: {}", model, e.getMessage());
            sse.error(ApiExchange.errorBody(e));
            return null;
        }
    }

    /** Writes one event of llama.cpp's stream (its name kept: the Responses API names them); false once it has ended. */
    private boolean relay(String event, ApiExchange.EventStream sse, ApiExchange ex, String model) throws IOException {
        String name = null;
        String data = null;
        for (String line : event.split("\n")) {
            if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                data = line.substring(5).strip();
            } else if (line.startsWith("error:")) {
                name = "error";
                data = line.substring(6).strip();
            }
        }
        if (data == null) {
            return true;
        }
        if (data.equals("[DONE]")) {
            sse.done();
            return false;
        }
        ObjectNode chunk = json(data);
        if (chunk.has("error") && !chunk.path("error").isNull() || "error".equals(name)) {
            metrics.errors.inc(chunk.at("/error/type").asText("generation_failed"));
            sse.error(chunk);
            return false;
        }
        if (chunk.has("model")) {
            chunk.put("model", model);
        }
        if (chunk.path("response") instanceof ObjectNode response && response.has("model")) {
            response.put("model", model);
            count(ex, model, response.path("usage"));
        }
        count(ex, model, chunk.path("usage"));
        sse.send(name, chunk);
        return true;
    }

    private void count(ApiExchange ex, String model, JsonNode usage) {
        if (usage.isObject()) {
            // Chat and text completions count prompt/completion tokens; the Responses API input/output.
            int prompt = usage.has("prompt_tokens") ? usage.path("prompt_tokens").asInt() : usage.path("input_tokens").asInt();
            int completion = usage.has("completion_tokens") ? usage.path("completion_tokens").asInt()
                    : usage.path("output_tokens").asInt();
            metrics.promptTokens.add(prompt, model);
            metrics.completionTokens.add(completion, model);
            ex.note(model, new Usage(prompt, completion));
        }
    }

    private static ObjectNode json(String text) {
        try {
            JsonNode node = ApiExchange.JSON.readTree(text);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (JsonProcessingException e) {
            // below
        }
        throw new ApiException(502, "server_error", "bad_model_answer", null,
                "llama.cpp's chat handler answered something that is not a JSON object");
    }
}
