package dev.slm.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.openai.InvalidRequestException;
import dev.slm.openai.RequestFields;
import java.util.Map;
import java.util.Set;

/**
 * An Ollama {@code /api/chat} or {@code /api/generate} body read as the OpenAI request slm already
 * answers (one codec for what a request means: dev.slm.openai checks the result as for any OpenAI
 * client). Ollama's {@code options} become OpenAI's and llama.cpp's fields; an option slm cannot
 * apply is refused by name.
 *
 * @param chat         whether {@link #openAi} is a chat request (else a text completion)
 * @param openAi       the equivalent OpenAI body ({@code stream} left out: the endpoint chooses)
 * @param stream       Ollama streams unless told {@code "stream": false}
 * @param unloadAfter  {@code keep_alive} 0: unload the model once answered
 * @param loadOnly     {@code /api/generate} with no prompt: Ollama's way to load a model
 */
public record OllamaRequest(String model, boolean chat, ObjectNode openAi, boolean stream, boolean unloadAfter,
                            boolean loadOnly) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Ollama option -> the OpenAI (or llama.cpp) field that does the same. */
    private static final Map<String, String> OPTIONS = Map.ofEntries(
            Map.entry("temperature", "temperature"), Map.entry("top_k", "top_k"), Map.entry("top_p", "top_p"),
            Map.entry("min_p", "min_p"), Map.entry("seed", "seed"), Map.entry("stop", "stop"),
            Map.entry("num_predict", "max_tokens"), Map.entry("repeat_penalty", "repeat_penalty"),
            Map.entry("presence_penalty", "presence_penalty"), Map.entry("frequency_penalty", "frequency_penalty"));

    /**
     * Options that shape how a model is loaded, not a request: slm loads each model once, as its
     * [model.NAME] section says, for every client; the request is answered with that.
     */
    private static final Set<String> LOAD_OPTIONS = Set.of("num_ctx", "num_batch", "num_gpu", "main_gpu", "num_thread",
            "use_mmap", "use_mlock", "numa", "low_vram", "vocab_only", "num_keep");

    public static OllamaRequest chat(ObjectNode body) {
        RequestFields f = new RequestFields(body);
        String model = f.requiredString("model");
        ObjectNode out = JSON.createObjectNode();
        out.put("model", model);
        ArrayNode messages = f.array("messages");
        if (messages == null || messages.isEmpty()) {
            throw InvalidRequestException.missing("messages", "'messages' is required and must not be empty");
        }
        ArrayNode converted = out.putArray("messages");
        int calls = 0;
        String lastCallId = null;
        for (int i = 0; i < messages.size(); i++) {
            RequestFields m = f.element("messages", messages, i);
            ObjectNode message = converted.addObject();
            String role = m.requiredString("role");
            message.put("role", role);
            String content = m.string("content");
            ArrayNode images = m.array("images");
            if (images == null || images.isEmpty()) {
                message.put("content", content == null ? "" : content);
            } else {
                message.set("content", withImages(m, content, images));
            }
            ArrayNode toolCalls = m.array("tool_calls");
            if (toolCalls != null && !toolCalls.isEmpty()) {
                ArrayNode openAiCalls = message.putArray("tool_calls");
                for (int c = 0; c < toolCalls.size(); c++) {
                    RequestFields call = m.element("tool_calls", toolCalls, c);
                    RequestFields function = call.object("function");
                    if (function == null) {
                        throw InvalidRequestException.missing(call.param("function"), "'" + call.param("function") + "' is required");
                    }
                    lastCallId = "call_" + calls++;
                    ObjectNode o = openAiCalls.addObject();
                    o.put("id", lastCallId);
                    o.put("type", "function");
                    o.putObject("function").put("name", function.requiredString("name"))
                            .put("arguments", String.valueOf(function.raw("arguments") == null ? "{}" : function.raw("arguments")));
                }
            }
            if (role.equals("tool")) {
                // Ollama names the tool; OpenAI's templates want the id of the call answered.
                message.put("tool_call_id", lastCallId == null ? "call_0" : lastCallId);
                String name = m.string("tool_name");
                if (name != null) {
                    message.put("name", name);
                }
            }
        }
        JsonNode tools = f.raw("tools");
        if (tools != null) {
            f.array("tools");
            out.set("tools", tools);
        }
        // Not Ollama's: OpenAI's tool_choice and parallel_tool_calls, taken as they are (slm's extension).
        for (String name : new String[] {"tool_choice", "parallel_tool_calls"}) {
            if (f.raw(name) != null) {
                out.set(name, f.raw(name));
            }
        }
        common(f, out);
        return new OllamaRequest(model, true, out, f.bool("stream", true), unloadAfter(f), false);
    }

    public static OllamaRequest generate(ObjectNode body) {
        RequestFields f = new RequestFields(body);
        String model = f.requiredString("model");
        f.unsupported("suffix", "slm does not fill in the middle");
        f.unsupported("context", "Ollama's deprecated token context is not kept: send the conversation to /api/chat");
        f.unsupported("template", "slm renders prompts with the model's own chat template");
        String prompt = f.string("prompt");
        String system = f.string("system");
        boolean raw = f.bool("raw", false);
        ObjectNode out = JSON.createObjectNode();
        out.put("model", model);
        if (raw) {
            if (system != null) {
                throw InvalidRequestException.invalid("system", "'system' needs the chat template, which 'raw' turns off");
            }
            out.put("prompt", prompt == null ? "" : prompt);
        } else {
            ArrayNode messages = out.putArray("messages");
            if (system != null) {
                messages.addObject().put("role", "system").put("content", system);
            }
            ArrayNode images = f.array("images");
            ObjectNode user = messages.addObject().put("role", "user");
            if (images == null || images.isEmpty()) {
                user.put("content", prompt == null ? "" : prompt);
            } else {
                user.set("content", withImages(f, prompt, images));
            }
        }
        if (raw && f.array("images") != null && !f.array("images").isEmpty()) {
            throw InvalidRequestException.invalid("images", "'images' needs the chat template, which 'raw' turns off");
        }
        common(f, out);
        boolean loadOnly = prompt == null || prompt.isEmpty();
        return new OllamaRequest(model, !raw, out, f.bool("stream", true), unloadAfter(f), loadOnly);
    }

    /**
     * Ollama's {@code images} (base64 strings beside the text) as OpenAI content parts: the text,
     * then each image as a data: URL, which the server checks (count, size, bytes) as for any
     * OpenAI client.
     */
    private static ArrayNode withImages(RequestFields f, String text, ArrayNode images) {
        ArrayNode parts = JSON.createArrayNode();
        if (text != null && !text.isEmpty()) {
            parts.addObject().put("type", "text").put("text", text);
        }
        for (int i = 0; i < images.size(); i++) {
            JsonNode image = images.get(i);
            if (!image.isTextual()) {
                throw InvalidRequestException.invalid(f.param("images") + "[" + i + "]",
                        "'" + f.param("images") + "[" + i + "]' must be a base64 string of an image");
            }
            String data = image.textValue();
            String url = data.startsWith("data:") ? data : "data:image/*;base64," + data;
            parts.addObject().put("type", "image_url").putObject("image_url").put("url", url);
        }
        return parts;
    }

    /** {@code format} and {@code options}, shared by both endpoints. */
    private static void common(RequestFields f, ObjectNode out) {
        JsonNode format = f.raw("format");
        if (format != null) {
            if (format.isTextual() && format.textValue().equals("json")) {
                out.putObject("response_format").put("type", "json_object");
            } else if (format.isObject()) {
                ObjectNode rf = out.putObject("response_format");
                rf.put("type", "json_schema");
                rf.putObject("json_schema").put("name", "format").set("schema", format);
            } else if (!(format.isTextual() && format.textValue().isEmpty())) {
                throw InvalidRequestException.invalid("format", "'format' must be \"json\" or a JSON schema object");
            }
        }
        RequestFields options = f.object("options");
        if (options == null) {
            return;
        }
        JsonNode raw = f.raw("options");
        for (var it = raw.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            JsonNode value = raw.get(name);
            if (value == null || value.isNull() || LOAD_OPTIONS.contains(name)) {
                continue;
            }
            String field = OPTIONS.get(name);
            if (field == null) {
                throw InvalidRequestException.unsupported("options." + name, "'options." + name
                        + "' is not supported by slm (supported: " + String.join(", ", new java.util.TreeSet<>(OPTIONS.keySet())) + ")");
            }
            if (name.equals("num_predict") && value.isIntegralNumber() && value.asLong() < 0) {
                continue; // -1 (until the end) and -2 (fill the context): slm's default
            }
            out.set(field, value);
        }
    }

    /** keep_alive 0 ("0", "0s", 0): unload when answered. Other values: the model's own keep_alive stays. */
    private static boolean unloadAfter(RequestFields f) {
        JsonNode k = f.raw("keep_alive");
        if (k == null) {
            return false;
        }
        if (k.isNumber()) {
            return k.asDouble() == 0;
        }
        if (!k.isTextual()) {
            throw InvalidRequestException.invalid("keep_alive", "'keep_alive' must be a duration (\"5m\") or a number of seconds");
        }
        return k.textValue().matches("0+(\\.0+)?(ms|s|m|h)?");
    }
}
