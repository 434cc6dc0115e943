package dev.slm.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.engine.Usage;
import dev.slm.server.backend.Backend;
import dev.slm.server.backend.Embeddings;
import dev.slm.openai.RequestFields;
import dev.slm.server.backend.ModelRouter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code POST /v1/embeddings}. Both encodings OpenAI defines: a float array, or base64 of
 * little-endian float32 (what the official clients ask for by default).
 */
final class EmbeddingsEndpoint implements PathHandler {
    private static final int MAX_INPUTS = 2048;

    private final ModelRouter router;
    private final Duration timeout;

    EmbeddingsEndpoint(ModelRouter router, Duration timeout) {
        this.router = router;
        this.timeout = timeout;
    }

    @Override
    public void handle(ApiExchange ex) throws IOException {
        RequestFields f = new RequestFields(ex.readJsonObject());
        String model = f.requiredString("model");
        List<String> inputs = inputs(f);
        String encoding = f.string("encoding_format");
        if (encoding != null && !encoding.equals("float") && !encoding.equals("base64")) {
            throw ApiException.invalid("encoding_format", "'encoding_format' must be float or base64, got '" + encoding + "'");
        }
        f.unsupported("dimensions", "slm returns the model's own embedding size");
        Backend backend = router.route(model);
        Embeddings result = backend.embed(inputs, Instant.now().plus(timeout));
        ex.note(model, new Usage(result.promptTokens(), 0));

        ObjectNode body = ApiExchange.JSON.createObjectNode();
        body.put("object", "list");
        ArrayNode data = body.putArray("data");
        for (int i = 0; i < result.vectors().size(); i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            float[] v = result.vectors().get(i);
            if ("base64".equals(encoding)) {
                ByteBuffer bytes = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float x : v) {
                    bytes.putFloat(x);
                }
                item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float x : v) {
                    values.add(x);
                }
            }
        }
        body.put("model", model);
        ObjectNode usage = body.putObject("usage");
        usage.put("prompt_tokens", result.promptTokens());
        usage.put("total_tokens", result.promptTokens());
        ex.sendJson(200, body);
    }

    private static List<String> inputs(RequestFields f) {
        JsonNode input = f.raw("input");
        if (input == null) {
            throw new ApiException(400, "invalid_request_error", "missing_required_parameter", "input", "'input' is required");
        }
        List<String> inputs = new ArrayList<>();
        if (input.isTextual()) {
            inputs.add(input.textValue());
        } else if (input.isArray()) {
            if (input.isEmpty()) {
                throw ApiException.invalid("input", "'input' is an empty array: send at least one string");
            }
            if (input.size() > MAX_INPUTS) {
                throw ApiException.invalid("input", "'input' may hold at most " + MAX_INPUTS + " strings, got " + input.size());
            }
            for (int i = 0; i < input.size(); i++) {
                JsonNode s = input.get(i);
                if (!s.isTextual()) {
                    throw new ApiException(400, "invalid_request_error", "unsupported_parameter", "input[" + i + "]",
                            "'input[" + i + "]' must be a string (token arrays are not supported), got " + RequestFields.kind(s));
                }
                inputs.add(s.textValue());
            }
        } else {
            throw ApiException.invalid("input", "'input' must be a string or an array of strings, got " + RequestFields.kind(input));
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).isEmpty()) {
                throw ApiException.invalid(input.isArray() ? "input[" + i + "]" : "input", "the text to embed is empty");
            }
        }
        return inputs;
    }
}
