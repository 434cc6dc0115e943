package dev.slm.openai;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Checks a {@code json_schema} response format before a runner sees it. llama.cpp's converter
 * (b4916) aborts the whole process on a schema it cannot handle (an unknown type, a {@code $ref} that
 * points nowhere, a minimum above the maximum...): the runner would die and take every request it
 * holds with it. The mistakes it is known to die on are refused here with a 400 instead; anything
 * still missed costs a runner restart, never the server.
 *
 * <p>It also bounds what the schema may expand to. llama.cpp turns every repetition into grammar
 * rules, one per repeat: {@code {"type":"string","minLength":1000000000}} or a pattern
 * {@code ^a{100000000}$} took one runner to 15.8 GB in two minutes, which neither a disconnect nor
 * {@code request_timeout} stopped. So each repeat count ({@code minLength}, {@code maxLength},
 * {@code minItems}, {@code maxItems}, {@code minProperties}, {@code maxProperties}, a pattern's
 * {@code {n,m}}) may be at most {@link #MAX_REPEAT}, and all of them together, nested pattern
 * groups multiplied, at most {@link #MAX_EXPANSION}.
 */
public final class JsonSchemaCheck {
    private static final String PARAM = "response_format.json_schema.schema";
    private static final Set<String> TYPES = Set.of("object", "array", "string", "number", "integer", "boolean", "null");
    private static final Set<String> SCHEMA_MAPS = Set.of("properties", "definitions", "$defs");
    private static final Set<String> SCHEMA_LISTS = Set.of("oneOf", "anyOf", "allOf", "prefixItems");
    private static final Map<String, String> BOUNDS = Map.of(
            "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties");

    /** The most one repetition may repeat: enough for long strings and lists, a few MB of grammar at most. */
    static final int MAX_REPEAT = 4096;
    /** The most all repetitions of one schema may expand to together. */
    static final long MAX_EXPANSION = 65_536;
    private static final java.util.List<String> REPEATS = java.util.List.of(
            "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties");

    private final JsonNode root;
    private long expansion;

    private JsonSchemaCheck(JsonNode root) {
        this.root = root;
    }

    /** @throws InvalidRequestException 400 naming where in the schema the problem is */
    public static void check(JsonNode schema) {
        new JsonSchemaCheck(schema).schema(schema, "#");
    }

    private void schema(JsonNode s, String at) {
        if (!s.isObject()) {
            throw problem(at, "a schema must be a JSON object, got " + RequestFields.kind(s));
        }
        JsonNode ref = s.get("$ref");
        if (ref != null) {
            if (!ref.isTextual() || !ref.textValue().startsWith("#")) {
                throw problem(at, "only local $ref values (\"#/...\") are supported, got " + ref);
            }
            String pointer = ref.textValue().substring(1);
            if (!pointer.isEmpty() && (!pointer.startsWith("/") || root.at(pointer).isMissingNode())) {
                throw problem(at, "$ref " + ref + " does not point into this schema");
            }
        }
        JsonNode type = s.get("type");
        if (type != null) {
            if (type.isArray() && !type.isEmpty()) {
                type.forEach(t -> typeName(t, at));
            } else {
                typeName(type, at);
            }
        }
        JsonNode values = s.get("enum");
        if (values != null && (!values.isArray() || values.isEmpty())) {
            throw problem(at, "enum must be a non-empty array");
        }
        for (String key : SCHEMA_LISTS) {
            JsonNode list = s.get(key);
            if (list != null) {
                if (!list.isArray() || list.isEmpty()) {
                    throw problem(at, key + " must be a non-empty array of schemas");
                }
                for (int i = 0; i < list.size(); i++) {
                    schema(list.get(i), at + "/" + key + "/" + i);
                }
            }
        }
        for (String key : SCHEMA_MAPS) {
            JsonNode map = s.get(key);
            if (map != null) {
                if (!map.isObject()) {
                    throw problem(at, key + " must be an object of schemas");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    schema(e.getValue(), at + "/" + key + "/" + e.getKey());
                }
            }
        }
        JsonNode items = s.get("items");
        if (items != null && !items.isBoolean()) {
            if (items.isArray()) {
                for (int i = 0; i < items.size(); i++) {
                    schema(items.get(i), at + "/items/" + i);
                }
            } else {
                schema(items, at + "/items");
            }
        }
        JsonNode additional = s.get("additionalProperties");
        if (additional != null && !additional.isBoolean()) {
            schema(additional, at + "/additionalProperties");
        }
        JsonNode required = s.get("required");
        if (required != null && (!required.isArray() || !allText(required))) {
            throw problem(at, "required must be an array of property names");
        }
        bounds(s, at);
        repeats(s, at);
        JsonNode pattern = s.get("pattern");
        if (pattern != null && (!pattern.isTextual() || !pattern.textValue().startsWith("^") || !pattern.textValue().endsWith("$"))) {
            throw problem(at, "a pattern must be a string that starts with ^ and ends with $ (llama.cpp's rule), got " + pattern);
        }
        if (pattern != null) {
            grow(PatternSize.of(pattern.textValue(), MAX_REPEAT, MAX_EXPANSION, at), at, "pattern");
        }
    }

    private void repeats(JsonNode s, String at) {
        for (String key : REPEATS) {
            JsonNode n = s.get(key);
            if (n == null) {
                continue;
            }
            if (n.decimalValue().signum() < 0) {
                throw problem(at, key + " " + n + " is negative");
            }
            if (n.decimalValue().compareTo(java.math.BigDecimal.valueOf(MAX_REPEAT)) > 0) {
                throw tooBig(at, key + " " + n + " is above " + MAX_REPEAT + ", the most this server lets a schema repeat");
            }
            grow(n.longValue(), at, key);
        }
    }

    private void grow(long size, String at, String what) {
        expansion += size;
        if (expansion > MAX_EXPANSION) {
            throw tooBig(at, "the schema's repetitions expand to more than " + MAX_EXPANSION
                    + " grammar elements (reached at " + what + ")");
        }
    }

    static InvalidRequestException tooBig(String at, String message) {
        return problem(at, message + "; llama.cpp expands every repeat into its grammar, so larger bounds would take gigabytes");
    }

    private void bounds(JsonNode s, String at) {
        for (Map.Entry<String, String> b : BOUNDS.entrySet()) {
            JsonNode min = number(s, b.getKey(), at);
            JsonNode max = number(s, b.getValue(), at);
            if (min != null && max != null && min.decimalValue().compareTo(max.decimalValue()) > 0) {
                throw problem(at, b.getKey() + " " + min + " is above " + b.getValue() + " " + max + ": nothing could match");
            }
        }
        JsonNode low = number(s, "exclusiveMinimum", at);
        JsonNode high = number(s, "exclusiveMaximum", at);
        if (low != null && high != null && low.decimalValue().compareTo(high.decimalValue()) >= 0) {
            throw problem(at, "exclusiveMinimum " + low + " is not below exclusiveMaximum " + high + ": nothing could match");
        }
    }

    private static JsonNode number(JsonNode s, String key, String at) {
        JsonNode n = s.get(key);
        if (n != null && !n.isNumber()) {
            throw problem(at, key + " must be a number, got " + RequestFields.kind(n));
        }
        return n;
    }

    private static void typeName(JsonNode t, String at) {
        if (!t.isTextual() || !TYPES.contains(t.textValue())) {
            throw problem(at, "type must be one of " + TYPES.stream().sorted().toList() + " (or a non-empty array of them), got " + t);
        }
    }

    private static boolean allText(JsonNode array) {
        for (JsonNode n : array) {
            if (!n.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static InvalidRequestException problem(String at, String message) {
        return InvalidRequestException.invalid(PARAM, "the JSON schema cannot be used (at " + at + "): " + message);
    }
}
