package dev.slm.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.engine.SamplingOptions;

/**
 * A {@code /v1/chat/completions} request that llama.cpp's own chat handler answers (through the
 * model's runner, engine.OpenAiCall), because it asks for what only that handler does: tool calls
 * (tools, tool_choice, assistant messages with tool_calls, tool results) rendered by the model's
 * Jinja template and parsed back into {@code tool_calls}, and system messages after the first turn
 * (rendered in place when the template allows, else merged at the front), and images (checked and
 * rewritten as data URLs by {@link ImageParts} first).
 *
 * <p>slm still checks what it owns: the model name, the token cap, the sampling ranges, the shape
 * of tools; llama.cpp checks the rest and answers a 400 of its own.
 *
 * @param body the body as llama.cpp's handler reads it ({@code max_tokens} set to the cap when absent)
 */
public record LlamaServerRequest(String model, boolean stream, String body) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The route of llama.cpp's handler. */
    public static final String ROUTE = "/v1/chat/completions";

    /** Whether this chat body needs llama.cpp's handler: tools, late system messages, images. */
    public static boolean wanted(ObjectNode body) {
        if (ImageParts.present(body)) {
            return true;  // only llama.cpp's handler hands images to the model's projector
        }
        if (body.has("lora")) {
            return true;  // adapters chosen per request: llama.cpp's handler reads the field itself
        }
        if (present(body.get("tools")) || present(body.get("tool_choice")) || present(body.get("functions"))) {
            return true;
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray()) {
            return false;
        }
        boolean conversationStarted = false;
        for (JsonNode m : messages) {
            String role = m.path("role").asText("");
            switch (role) {
                case "tool", "function" -> {
                    return true;
                }
                case "system", "developer" -> {
                    if (conversationStarted) {
                        return true;
                    }
                }
                default -> {
                    conversationStarted = true;
                    if (present(m.get("tool_calls"))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean present(JsonNode n) {
        return n != null && !n.isNull() && !(n.isContainerNode() && n.isEmpty());
    }

    /**
     * @param maxTokens the server's cap, as for {@link OpenAiRequest#parse}
     * @throws InvalidRequestException naming the first field that is wrong
     */
    public static LlamaServerRequest parse(ObjectNode body, int maxTokens) {
        RequestFields f = new RequestFields(body);
        String model = f.requiredString("model");
        ArrayNode messages = f.array("messages");
        if (messages == null || messages.isEmpty()) {
            throw InvalidRequestException.missing("messages", "'messages' is required and must not be empty");
        }
        f.unsupported("functions", "use 'tools' (OpenAI's deprecated 'functions' is not read)");
        tools(f);
        loraIds(body);
        boolean stream = f.bool("stream", false);
        // The sampling fields are checked as for any request (ranges, the token cap, the schema).
        ObjectNode sampling = body.deepCopy();
        sampling.remove(java.util.List.of("tools", "tool_choice", "parallel_tool_calls", "messages"));
        SamplingOptions options = SamplingRequest.parse(new RequestFields(sampling), maxTokens);
        ObjectNode forLlama = body.deepCopy();
        if (!forLlama.hasNonNull("max_tokens") && !forLlama.hasNonNull("max_completion_tokens")
                && options.maxTokens() > 0) {
            forLlama.put("max_tokens", options.maxTokens());
        }
        return new LlamaServerRequest(model, stream, forLlama.toString());
    }

    /**
     * The request's {@code lora} field, as llama.cpp's server takes it: {@code [{"id": 0, "scale": 0.5}, ...]};
     * adapters not listed get scale 0 for this request. llama.cpp ignores an id it does not have, so
     * the ids are returned for the caller to check against the model's adapters.
     *
     * @throws InvalidRequestException for a field of another shape
     */
    public static java.util.List<Integer> loraIds(ObjectNode body) {
        JsonNode lora = body.get("lora");
        if (lora == null || lora.isNull()) {
            return java.util.List.of();
        }
        if (!lora.isArray()) {
            throw InvalidRequestException.invalid("lora", "'lora' must be an array of {\"id\": N, \"scale\": X}");
        }
        java.util.List<Integer> ids = new java.util.ArrayList<>();
        for (int i = 0; i < lora.size(); i++) {
            JsonNode entry = lora.get(i);
            JsonNode id = entry.get("id");
            JsonNode scale = entry.get("scale");
            if (!entry.isObject() || id == null || !id.canConvertToInt() || !id.isIntegralNumber() || id.asInt() < 0
                    || scale == null || !scale.isNumber() || !Double.isFinite(scale.asDouble())) {
                throw InvalidRequestException.invalid("lora[" + i + "]",
                        "'lora[" + i + "]' must be {\"id\": N, \"scale\": X} with N an adapter's index (0, 1, ...) and X a number");
            }
            ids.add(id.asInt());
        }
        return ids;
    }

    /** Each tool is {"type": "function", "function": {"name": ..., "parameters": {...}}}. */
    private static void tools(RequestFields f) {
        ArrayNode tools = f.array("tools");
        if (tools == null) {
            return;
        }
        for (int i = 0; i < tools.size(); i++) {
            RequestFields tool = f.element("tools", tools, i);
            String type = tool.requiredString("type");
            if (!type.equals("function")) {
                throw InvalidRequestException.unsupported(tool.param("type"),
                        "'" + tool.param("type") + "' must be 'function', got '" + type + "': slm's models call functions only");
            }
            RequestFields function = tool.object("function");
            if (function == null) {
                throw InvalidRequestException.missing(tool.param("function"), "'" + tool.param("function") + "' is required");
            }
            function.requiredString("name");
            function.object("parameters");
        }
    }
}
