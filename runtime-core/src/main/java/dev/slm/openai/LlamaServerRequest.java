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
public record LlamaServerRequest(String route, String model, boolean stream, String body) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The route of llama.cpp's chat handler. */
    public static final String ROUTE = "/v1/chat/completions";
    public static final String TEXT_ROUTE = "/v1/completions";
    public static final String RESPONSES_ROUTE = "/v1/responses";

    /**
     * llama.cpp's own request fields, and OpenAI's that only its sampler applies: a request with any
     * of them is answered by llama.cpp's handler, which applies them (slm's own path would ignore
     * or refuse them).
     */
    public static final java.util.Set<String> LLAMA_FIELDS = java.util.Set.of("grammar", "json_schema", "n_predict",
            "typical_p", "mirostat", "mirostat_tau", "mirostat_eta", "cache_prompt", "logit_bias", "presence_penalty",
            "frequency_penalty", "logprobs", "top_logprobs", "n_probs", "dry_multiplier", "dry_base", "dry_allowed_length",
            "dry_penalty_last_n", "xtc_probability", "xtc_threshold", "top_n_sigma", "repeat_last_n", "ignore_eos");

    /** Whether the body carries a field only llama.cpp's handler applies ({@link #LLAMA_FIELDS}). */
    public static boolean wantsLlamaFields(ObjectNode body) {
        for (String name : LLAMA_FIELDS) {
            JsonNode n = body.get(name);
            if (n != null && !n.isNull() && !(n.isBoolean() && !n.booleanValue())) {
                return true;
            }
        }
        return false;
    }

    /** Whether this chat body needs llama.cpp's handler: tools, late system messages, images. */
    public static boolean wanted(ObjectNode body) {
        if (ImageParts.present(body)) {
            return true;  // only llama.cpp's handler hands images to the model's projector
        }
        if (body.has("lora")) {
            return true;  // adapters chosen per request: llama.cpp's handler reads the field itself
        }
        if (wantsLlamaFields(body)) {
            return true;
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
        ArrayNode messages = f.array("messages");
        if (messages == null || messages.isEmpty()) {
            throw InvalidRequestException.missing("messages", "'messages' is required and must not be empty");
        }
        f.unsupported("functions", "use 'tools' (OpenAI's deprecated 'functions' is not read)");
        tools(f);
        loraIds(body);
        return checked(ROUTE, body, maxTokens);
    }

    /** A {@code /v1/completions} body with llama.cpp's fields ({@link #wantsLlamaFields}). */
    public static LlamaServerRequest parseText(ObjectNode body, int maxTokens) {
        RequestFields f = new RequestFields(body);
        JsonNode prompt = f.raw("prompt");
        if (prompt == null || !(prompt.isTextual() || prompt.isArray())) {
            throw InvalidRequestException.missing("prompt", "'prompt' is required: a string");
        }
        return checked(TEXT_ROUTE, body, maxTokens);
    }

    /**
     * A {@code /v1/responses} body (OpenAI's Responses API: {@code input}, {@code instructions},
     * {@code tools}), answered by llama.cpp's own handler; {@code max_output_tokens} is held to the cap.
     */
    public static LlamaServerRequest parseResponses(ObjectNode body, int maxTokens) {
        RequestFields f = new RequestFields(body);
        String model = f.requiredString("model");
        if (f.raw("input") == null) {
            throw InvalidRequestException.missing("input", "'input' is required");
        }
        ArrayNode tools = f.array("tools");
        for (int i = 0; tools != null && i < tools.size(); i++) {
            // llama.cpp skips the Responses API's own tools (web search, files...) with only a log line.
            String type = f.element("tools", tools, i).string("type");
            if (!"function".equals(type)) {
                throw InvalidRequestException.unsupported("tools[" + i + "].type", "'tools[" + i + "].type' "
                        + (type == null ? "is missing" : "'" + type + "' is not supported") + ": only \"function\" tools are");
            }
        }
        boolean capped = maxTokens != OpenAiRequest.NO_TOKEN_CAP;
        Long most = f.integer("max_output_tokens", 1, capped ? maxTokens : Integer.MAX_VALUE);
        ObjectNode forLlama = body.deepCopy();
        if (most == null && capped) {
            forLlama.put("max_output_tokens", maxTokens);
        }
        return new LlamaServerRequest(RESPONSES_ROUTE, model, f.bool("stream", false), forLlama.toString());
    }

    /** What slm checks in any body it hands to llama.cpp: the model, the token cap, the sampling ranges. */
    private static LlamaServerRequest checked(String route, ObjectNode body, int maxTokens) {
        RequestFields f = new RequestFields(body);
        String model = f.requiredString("model");
        boolean stream = f.bool("stream", false);
        ObjectNode forLlama = body.deepCopy();
        // llama.cpp's n_predict overrides max_tokens: it is held to the same cap.
        JsonNode nPredict = forLlama.remove("n_predict");
        if (nPredict != null && !nPredict.isNull() && !(nPredict.isIntegralNumber() && nPredict.asLong() < 0)) {
            if (forLlama.hasNonNull("max_tokens") || forLlama.hasNonNull("max_completion_tokens")) {
                throw InvalidRequestException.invalid("n_predict", "'n_predict' and 'max_tokens' say the same: send one");
            }
            forLlama.set("max_tokens", nPredict);
        }
        // The sampling fields are checked as for any request (ranges, the token cap, the schema);
        // what only llama.cpp applies is its to check.
        ObjectNode sampling = forLlama.deepCopy();
        sampling.remove(java.util.List.of("tools", "tool_choice", "parallel_tool_calls", "messages", "prompt"));
        sampling.remove(LLAMA_FIELDS);
        SamplingOptions options = SamplingRequest.parse(new RequestFields(sampling), maxTokens);
        if (!forLlama.hasNonNull("max_tokens") && !forLlama.hasNonNull("max_completion_tokens")
                && options.maxTokens() > 0) {
            forLlama.put("max_tokens", options.maxTokens());
        }
        return new LlamaServerRequest(route, model, stream, forLlama.toString());
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
