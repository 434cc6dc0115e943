package dev.slm.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.server.backend.LoadedModel;
import dev.slm.server.backend.ModelRouter;
import java.io.IOException;

/**
 * What `slm ps` and `slm stop` ask the local server: {@code GET /admin/ps} (the models in memory)
 * and {@code POST /admin/stop} with {@code {"model": NAME}} (unload it now). Answered to clients on
 * this machine only ({@link ApiHandler} checks the connection's address) and behind the API keys.
 */
final class AdminEndpoint {
    static final String PREFIX = "/admin/";
    static final String PS = "/admin/ps";
    static final String STOP = "/admin/stop";

    private final ModelRouter router;

    AdminEndpoint(ModelRouter router) {
        this.router = router;
    }

    void ps(ApiExchange ex) throws IOException {
        ObjectNode body = ApiExchange.JSON.createObjectNode();
        ArrayNode models = body.putArray("models");
        for (LoadedModel m : router.loaded()) {
            ObjectNode n = models.addObject();
            n.put("name", m.name());
            n.put("file", m.file());
            n.put("memory_bytes", m.memoryBytes());
            n.put("gpu_layers", m.gpuLayers());
            n.put("context", m.contextSize());
            n.put("active", m.active());
            n.put("queued", m.queued());
            n.put("idle_seconds", m.idleSeconds());
            n.put("keep_alive_seconds", m.keepAliveSeconds());
            n.put("lora_adapters", m.loraAdapters());
        }
        ex.sendJson(200, body);
    }

    void stop(ApiExchange ex) throws IOException {
        ObjectNode request = ex.readJsonObject();
        if (!request.path("model").isTextual() || request.path("model").asText().isBlank()) {
            throw ApiException.invalid("model", "'model' is required: the name of a model this server serves");
        }
        String model = request.path("model").asText();
        boolean wasLoaded = router.unload(model);
        ObjectNode body = ApiExchange.JSON.createObjectNode();
        body.put("model", model);
        body.put("unloaded", wasLoaded);
        ex.sendJson(200, body);
    }
}
