package dev.slm.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.server.backend.ModelCard;
import dev.slm.server.backend.BackendException;
import dev.slm.server.backend.ModelRouter;
import dev.slm.gguf.GgufFile;
import java.io.IOException;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}}. */
final class ModelsEndpoint implements PathHandler {
    private final ModelRouter router;

    ModelsEndpoint(ModelRouter router) {
        this.router = router;
    }

    @Override
    public void handle(ApiExchange ex) throws IOException {
        String path = ex.path().startsWith("/v1/") ? ex.path() : "/v1" + ex.path();
        if (path.equals("/v1/models") || path.equals("/v1/models/")) {
            ObjectNode body = ApiExchange.JSON.createObjectNode();
            body.put("object", "list");
            ArrayNode data = body.putArray("data");
            router.models().forEach(m -> data.add(card(m, router)));
            ex.sendJson(200, body);
            return;
        }
        String id = path.substring("/v1/models/".length());
        ModelCard card = router.models().stream().filter(m -> m.id().equals(id)).findFirst()
                .orElseThrow(() -> ApiException.of(BackendException.missing(id)));
        ex.sendJson(200, card(card, router));
    }

    /** OpenAI's four fields, and llama-server's {@code meta} (what the file says) for a local model. */
    private static ObjectNode card(ModelCard m, ModelRouter router) {
        ObjectNode n = ApiExchange.JSON.createObjectNode();
        n.put("id", m.id());
        n.put("object", "model");
        n.put("created", m.created());
        n.put("owned_by", m.ownedBy());
        GgufFile header;
        try {
            header = router.route(m.id()).header();
        } catch (BackendException notLocal) {
            header = null;
        }
        if (header != null) {
            ObjectNode meta = n.putObject("meta");
            meta.put("architecture", header.architecture());
            meta.put("quantization", header.quantization());
            meta.put("n_params", header.parameterCount());
            meta.put("size", header.fileSize());
            GgufFile h = header;
            h.contextLength().ifPresent(v -> meta.put("n_ctx_train", v));
            h.embeddingLength().ifPresent(v -> meta.put("n_embd", v));
            h.vocabularySize().ifPresent(v -> meta.put("n_vocab", v));
        }
        return n;
    }
}
