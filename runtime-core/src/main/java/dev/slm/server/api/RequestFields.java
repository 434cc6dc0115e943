package dev.slm.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.server.ApiException;
import java.math.BigDecimal;

/**
 * Typed access to a request's JSON fields. Every wrong type, missing required field or value out of
 * range becomes a 400 naming the field; JSON null counts as absent, as OpenAI's API treats it.
 */
final class RequestFields {
    private final ObjectNode body;
    private final String prefix;

    RequestFields(ObjectNode body) {
        this(body, "");
    }

    private RequestFields(ObjectNode body, String prefix) {
        this.body = body;
        this.prefix = prefix;
    }

    private JsonNode get(String name) {
        JsonNode n = body.get(name);
        return n == null || n.isNull() ? null : n;
    }

    boolean has(String name) {
        return get(name) != null;
    }

    String param(String name) {
        return prefix + name;
    }

    JsonNode raw(String name) {
        return get(name);
    }

    String string(String name) {
        JsonNode n = get(name);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.invalid(param(name), "'" + param(name) + "' must be a string, got " + kind(n));
        }
        return n.textValue();
    }

    String requiredString(String name) {
        String s = string(name);
        if (s == null) {
            throw new ApiException(400, "invalid_request_error", "missing_required_parameter", param(name),
                    "'" + param(name) + "' is required");
        }
        return s;
    }

    Boolean bool(String name) {
        JsonNode n = get(name);
        if (n == null) {
            return null;
        }
        if (!n.isBoolean()) {
            throw ApiException.invalid(param(name), "'" + param(name) + "' must be true or false, got " + kind(n));
        }
        return n.booleanValue();
    }

    boolean bool(String name, boolean fallback) {
        Boolean b = bool(name);
        return b == null ? fallback : b;
    }

    Long integer(String name, long min, long max) {
        JsonNode n = get(name);
        if (n == null) {
            return null;
        }
        if (!n.isIntegralNumber() && !(n.isNumber() && n.decimalValue().stripTrailingZeros().scale() <= 0)) {
            throw ApiException.invalid(param(name), "'" + param(name) + "' must be a whole number, got " + kind(n));
        }
        BigDecimal v = n.decimalValue();
        if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw ApiException.invalid(param(name), "'" + param(name) + "' must be between " + min + " and " + max + ", got " + n);
        }
        return v.longValueExact();
    }

    Double number(String name, double min, double max) {
        JsonNode n = get(name);
        if (n == null) {
            return null;
        }
        if (!n.isNumber()) {
            throw ApiException.invalid(param(name), "'" + param(name) + "' must be a number, got " + kind(n));
        }
        BigDecimal v = n.decimalValue();
        if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw ApiException.invalid(param(name), "'" + param(name) + "' must be between " + min + " and " + max + ", got " + n);
        }
        return v.doubleValue();
    }

    RequestFields object(String name) {
        JsonNode n = get(name);
        if (n == null) {
            return null;
        }
        if (!n.isObject()) {
            throw ApiException.invalid(param(name), "'" + param(name) + "' must be an object, got " + kind(n));
        }
        return new RequestFields((ObjectNode) n, param(name) + ".");
    }

    ArrayNode array(String name) {
        JsonNode n = get(name);
        if (n == null) {
            return null;
        }
        if (!n.isArray()) {
            throw ApiException.invalid(param(name), "'" + param(name) + "' must be an array, got " + kind(n));
        }
        return (ArrayNode) n;
    }

    /** The fields of element {@code i} of array {@code name}, which must be an object. */
    RequestFields element(String name, ArrayNode array, int i) {
        JsonNode n = array.get(i);
        String p = param(name) + "[" + i + "]";
        if (n == null || !n.isObject()) {
            throw ApiException.invalid(p, "'" + p + "' must be an object, got " + kind(n));
        }
        return new RequestFields((ObjectNode) n, p + ".");
    }

    /** Refuses a feature slm does not have when the request actually asks for it. */
    void unsupported(String name, String why) {
        JsonNode n = get(name);
        if (n == null || (n.isBoolean() && !n.booleanValue()) || (n.isContainerNode() && n.isEmpty())) {
            return;
        }
        throw new ApiException(400, "invalid_request_error", "unsupported_parameter", param(name),
                "'" + param(name) + "' is not supported: " + why);
    }

    static String kind(JsonNode n) {
        if (n == null || n.isNull()) {
            return "null";
        }
        if (n.isTextual()) {
            return "a string";
        }
        if (n.isBoolean()) {
            return "a boolean";
        }
        if (n.isNumber()) {
            return "the number " + n;
        }
        return n.isArray() ? "an array" : "an object";
    }
}
