package dev.slm.server.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.store.Variant;
import java.util.List;
import java.util.Map;

/**
 * What a variant (`slm create`) served by name adds to each request: its system prompt when the
 * conversation has none, and its PARAMETERs for the fields the request leaves out. The request's
 * own fields always win.
 */
public record RequestDefaults(String system, List<Variant.Parameter> parameters) {
    public static final RequestDefaults NONE = new RequestDefaults(null, List.of());

    /** Ollama's parameter names and the request fields they fill. */
    private static final Map<String, String> FIELD = Map.of("temperature", "temperature", "top_p", "top_p",
            "top_k", "top_k", "min_p", "min_p", "seed", "seed", "repeat_penalty", "repeat_penalty",
            "num_predict", "max_tokens");

    public RequestDefaults {
        parameters = parameters == null ? List.of() : List.copyOf(parameters);
    }

    public static RequestDefaults of(Variant v) {
        return new RequestDefaults(v.system(), v.parameters());
    }

    /** Fills {@code body} in place; {@code chat}: a request with {@code messages}. */
    public void applyTo(ObjectNode body, boolean chat) {
        ArrayNode stops = null;
        for (Variant.Parameter p : parameters) {
            if (p.name().equals("stop")) {
                if (!body.has("stop")) {
                    stops = stops == null ? body.arrayNode() : stops;
                    stops.add(p.value());
                }
                continue;
            }
            String field = FIELD.get(p.name());
            if (field == null || body.has(field) || (field.equals("max_tokens") && body.has("max_completion_tokens"))) {
                continue;
            }
            String v = p.value().strip();
            if (v.matches("-?\\d+")) {
                body.put(field, Long.parseLong(v));
            } else {
                body.put(field, Double.parseDouble(v));
            }
        }
        if (stops != null) {
            body.set("stop", stops);
        }
        JsonNode messages = body.get("messages");
        if (chat && system != null && !system.isBlank() && messages instanceof ArrayNode list && !list.isEmpty()
                && !isSystem(list.get(0))) {
            list.insert(0, body.objectNode().put("role", "system").put("content", system));
        }
    }

    private static boolean isSystem(JsonNode message) {
        String role = message.path("role").asText("");
        return role.equals("system") || role.equals("developer");
    }
}
