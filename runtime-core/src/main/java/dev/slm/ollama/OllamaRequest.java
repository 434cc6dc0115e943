package dev.slm.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.openai.InvalidRequestException;
import dev.slm.openai.RequestFields;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Ollama {@code /api/chat} or {@code /api/generate} body read as the OpenAI request slm already
 * answers (one codec for what a request means: dev.slm.openai checks the result as for any OpenAI
 * client). Ollama's {@code options} become OpenAI's and llama.cpp's fields; an option slm cannot
 * apply is refused by name.
 *
 * @param chat         whether {@link #openAi} is a chat request (else a text completion)
 * @param openAi       the equivalent OpenAI body ({@code stream} left out: the endpoint chooses)
 * @param stream       Ollama streams unless told {@code "stream": false}
 * @param keepAlive    {@code keep_alive}: how long the model stays loaded after this request (zero: it
 *                     unloads once answered; negative: for good); null when not given (the configured one)
 * @param numCtx       {@code options.num_ctx}, the context the model should have; 0 when not given
 * @param loadOnly     {@code /api/generate} with no prompt: Ollama's way to load a model (or, with
 *                     {@code keep_alive} 0, to unload it)
 */
public record OllamaRequest(String model, boolean chat, ObjectNode openAi, boolean stream, Duration keepAlive, int numCtx,
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
     * [model.NAME] section says, for every client; the request is answered with that. (num_ctx is
     * the exception, see {@link #numCtx}.)
     */
    private static final Set<String> LOAD_OPTIONS = Set.of("num_batch", "num_gpu", "main_gpu", "num_thread",
            "use_mmap", "use_mlock", "numa", "low_vram", "vocab_only", "num_keep");
    /** The largest num_ctx taken: beyond any model's trained context, which caps it anyway. */
    private static final int MAX_NUM_CTX = 1 << 24;

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
        int numCtx = common(f, out);
        return new OllamaRequest(model, true, out, f.bool("stream", true), keepAlive(f), numCtx, false);
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
        int numCtx = common(f, out);
        boolean loadOnly = prompt == null || prompt.isEmpty();
        return new OllamaRequest(model, !raw, out, f.bool("stream", true), keepAlive(f), numCtx, loadOnly);
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

    /** {@code format} and {@code options}, shared by both endpoints; returns {@code options.num_ctx} (0: not given). */
    private static int common(RequestFields f, ObjectNode out) {
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
            return 0;
        }
        Long numCtx = options.integer("num_ctx", 1, MAX_NUM_CTX);
        JsonNode raw = f.raw("options");
        for (var it = raw.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            JsonNode value = raw.get(name);
            if (value == null || value.isNull() || LOAD_OPTIONS.contains(name) || name.equals("num_ctx")) {
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
        return numCtx == null ? 0 : numCtx.intValue();
    }

    /** Go's duration syntax, as Ollama reads keep_alive strings: "5m", "1h30m", "300ms", "-1m", "0". */
    private static final Pattern GO_DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h)");
    private static final Duration LONGEST = Duration.ofDays(366);

    /**
     * Ollama's {@code keep_alive}: a number of seconds or a Go duration string; negative means for
     * good (returned as -1 s), 0 unload once answered. Null when not given.
     */
    private static Duration keepAlive(RequestFields f) {
        JsonNode k = f.raw("keep_alive");
        if (k == null || k.isNull()) {
            return null;
        }
        if (k.isNumber()) {
            double seconds = k.asDouble();
            if (seconds < 0) {
                return FOREVER;
            }
            return seconds > LONGEST.toSeconds() ? LONGEST : Duration.ofMillis(Math.round(seconds * 1000));
        }
        String text = k.isTextual() ? k.textValue().strip() : "";
        boolean negative = text.startsWith("-");
        String rest = negative || text.startsWith("+") ? text.substring(1) : text;
        double nanos = rest.equals("0") ? 0 : -1;
        if (nanos < 0) {
            Matcher m = GO_DURATION.matcher(rest);
            int at = 0;
            nanos = 0;
            while (!rest.isEmpty() && m.find() && m.start() == at) {
                nanos += Double.parseDouble(m.group(1)) * switch (m.group(2)) {
                    case "ns" -> 1;
                    case "us", "µs" -> 1e3;
                    case "ms" -> 1e6;
                    case "s" -> 1e9;
                    case "m" -> 60e9;
                    default -> 3600e9;
                };
                at = m.end();
            }
            if (rest.isEmpty() || at != rest.length()) {
                throw InvalidRequestException.invalid("keep_alive", "'keep_alive' must be a number of seconds or a duration"
                        + " such as \"5m\", \"1h30m\" or \"-1\" (for good), got " + k);
            }
        }
        if (negative && nanos > 0) {
            return FOREVER;
        }
        return nanos > LONGEST.toNanos() ? LONGEST : Duration.ofNanos((long) nanos);
    }

    /** keep_alive for good, as slm's configuration writes it (keep_alive = never). */
    private static final Duration FOREVER = Duration.ofSeconds(-1);
}
