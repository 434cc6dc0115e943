package dev.slm.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.ResourceProperties;
import dev.slm.engine.Usage;
import dev.slm.gguf.GgufFile;
import dev.slm.openai.InvalidRequestException;
import dev.slm.openai.RequestFields;
import dev.slm.server.backend.BackendException;
import dev.slm.server.backend.Backend;
import dev.slm.server.backend.Embeddings;
import dev.slm.server.backend.LoadedModel;
import dev.slm.server.backend.ModelCard;
import dev.slm.server.backend.ModelRouter;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Ollama's model and embedding endpoints over the server's models: {@code GET /api/version},
 * {@code GET /api/tags}, {@code POST /api/show}, {@code GET /api/ps}, {@code POST /api/embed} and
 * the older {@code POST /api/embeddings}.
 */
final class OllamaInfoEndpoint {
    private static final int MAX_INPUTS = 2048;

    private final ModelRouter router;
    private final Duration timeout;

    OllamaInfoEndpoint(ModelRouter router, Duration timeout) {
        this.router = router;
        this.timeout = timeout;
    }

    void version(ApiExchange ex) throws IOException {
        ex.sendJson(200, ApiExchange.JSON.createObjectNode()
                .put("version", ResourceProperties.value("/slm-version.properties", "version", "unknown")));
    }

    void tags(ApiExchange ex) throws IOException {
        ObjectNode body = ApiExchange.JSON.createObjectNode();
        ArrayNode models = body.putArray("models");
        for (ModelCard card : router.models()) {
            ObjectNode m = models.addObject();
            m.put("name", card.id());
            m.put("model", card.id());
            m.put("modified_at", Instant.ofEpochSecond(card.created()).toString());
            GgufFile header = header(card.id());
            m.put("size", header == null ? 0 : header.fileSize());
            m.put("digest", "");
            m.set("details", details(header));
        }
        ex.sendJson(200, body);
    }

    void show(ApiExchange ex) throws IOException {
        RequestFields f = new RequestFields(ex.readJsonObject());
        String name = f.string("model");
        if (name == null) {
            name = f.requiredString("name"); // Ollama's older field
        }
        Backend backend = router.route(name);
        GgufFile header = backend.header();
        ObjectNode body = ApiExchange.JSON.createObjectNode();
        body.put("modelfile", "");
        body.put("parameters", "");
        body.put("template", header == null ? "" : header.chatTemplate().orElse(""));
        body.set("details", details(header));
        ObjectNode info = body.putObject("model_info");
        ArrayNode capabilities = body.putArray("capabilities");
        capabilities.add("completion");
        if (header != null) {
            info.put("general.architecture", header.architecture());
            info.put("general.parameter_count", header.parameterCount());
            header.contextLength().ifPresent(n -> info.put(header.architecture() + ".context_length", n));
            header.embeddingLength().ifPresent(n -> info.put(header.architecture() + ".embedding_length", n));
            if (header.chatTemplate().isPresent()) {
                // Calls are read in the template's own format, or, for a template without one, in slm's
                // generic JSON (native-profiles/native/README.md): any chat model takes tools.
                capabilities.add("tools");
            }
        }
        if (backend.seesImages()) {
            capabilities.add("vision");
        }
        ex.sendJson(200, body);
    }

    void ps(ApiExchange ex) throws IOException {
        ObjectNode body = ApiExchange.JSON.createObjectNode();
        ArrayNode models = body.putArray("models");
        for (LoadedModel loaded : router.loaded()) {
            ObjectNode m = models.addObject();
            m.put("name", loaded.name());
            m.put("model", loaded.name());
            GgufFile header = header(loaded.name());
            m.put("size", loaded.memoryBytes());
            m.put("digest", "");
            m.set("details", details(header));
            m.put("expires_at", loaded.keepAliveSeconds() < 0 ? "0001-01-01T00:00:00Z"
                    : Instant.now().plusSeconds(Math.max(0, loaded.keepAliveSeconds() - loaded.idleSeconds())).toString());
            m.put("size_vram", loaded.gpuLayers() == 0 ? 0 : loaded.memoryBytes());
            m.put("context_length", loaded.contextSize());
        }
        ex.sendJson(200, body);
    }

    /** {@code /api/embed}: {@code input} a string or strings; {@code /api/embeddings}: {@code prompt}, one vector. */
    void embed(ApiExchange ex, boolean legacy) throws IOException {
        RequestFields f = new RequestFields(ex.readJsonObject());
        String model = f.requiredString("model");
        List<String> inputs = new ArrayList<>();
        if (legacy) {
            inputs.add(f.requiredString("prompt"));
        } else {
            var input = f.raw("input");
            if (input == null) {
                throw InvalidRequestException.missing("input", "'input' is required");
            }
            if (input.isTextual()) {
                inputs.add(input.textValue());
            } else {
                ArrayNode array = f.array("input");
                if (array.isEmpty() || array.size() > MAX_INPUTS) {
                    throw InvalidRequestException.invalid("input", "'input' must hold 1 to " + MAX_INPUTS + " strings");
                }
                for (int i = 0; i < array.size(); i++) {
                    if (!array.get(i).isTextual()) {
                        throw InvalidRequestException.invalid("input[" + i + "]", "'input[" + i + "]' must be a string");
                    }
                    inputs.add(array.get(i).textValue());
                }
            }
        }
        long start = System.nanoTime();
        Embeddings result = router.route(model).embed(inputs, Instant.now().plus(timeout));
        ex.note(model, new Usage(result.promptTokens(), 0));
        ObjectNode body = ApiExchange.JSON.createObjectNode();
        if (legacy) {
            ArrayNode v = body.putArray("embedding");
            for (float x : result.vectors().getFirst()) {
                v.add(x);
            }
        } else {
            body.put("model", model);
            ArrayNode all = body.putArray("embeddings");
            for (float[] vector : result.vectors()) {
                ArrayNode v = all.addArray();
                for (float x : vector) {
                    v.add(x);
                }
            }
            body.put("total_duration", System.nanoTime() - start);
            body.put("prompt_eval_count", result.promptTokens());
        }
        ex.sendJson(200, body);
    }

    private GgufFile header(String model) {
        try {
            return router.route(model).header();
        } catch (BackendException notLocal) {
            return null;
        }
    }

    private static ObjectNode details(GgufFile header) {
        ObjectNode d = ApiExchange.JSON.createObjectNode();
        d.put("format", "gguf");
        d.put("family", header == null ? "" : header.architecture());
        d.putArray("families").add(header == null ? "" : header.architecture());
        d.put("parameter_size", header == null ? "" : String.format("%.1fM", header.parameterCount() / 1e6));
        d.put("quantization_level", header == null ? "" : header.quantization());
        return d;
    }
}
