package dev.slm.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;

/**
 * Typed access to a request's JSON fields. Every wrong type, missing required field or value out of
 * range becomes a 400 naming the field; JSON null counts as absent, as OpenAI's API treats it.
 */
public final class RequestFields {
    private final ObjectNode body;
    private final String prefix;

    public RequestFields(ObjectNode body) {
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

    public boolean has(String name) {
        return get(name) != null;
    }

    public String param(String name) {
        return prefix + name;
    }

    public JsonNode raw(String name) {
        return get(name);
    }

    public String string(String name) {
        JsonNode n = get(name);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw InvalidRequestException.invalid(param(name), "'" + param(name) + "' must be a string, got " + kind(n));
        }
        return n.textValue();
    }

    public String requiredString(String name) {
        String s = string(name);
        if (s == null) {
            throw InvalidRequestException.missing(param(name),
                    "'" + param(name) + "' is required");
        }
        return s;
    }

    public Boolean bool(String name) {
        JsonNode n = get(name);
        if (n == null) {
            return null;
        }
        if (!n.isBoolean()) {
            throw InvalidRequestException.invalid(param(name), "'" + param(name) + "' must be true or false, got " + kind(n));
        }
        return n.booleanValue();
    }

    public boolean bool(String name, boolean fallback) {
        Boolean b = bool(name);
        return b == null ? fallback : b;
    }

    public Long integer(String name, long min, long max) {
        JsonNode n = get(name);
        if (n == null) {
            return null;
        }
        if (!n.isIntegralNumber() && !(n.isNumber() && n.decimalValue().stripTrailingZeros().scale() <= 0)) {
            throw InvalidRequestException.invalid(param(name), "'" + param(name) + "' must be a whole number, got " + kind(n));
        }
        BigDecimal v = n.decimalValue();
        if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw InvalidRequestException.invalid(param(name), "'" + param(name) + "' must be between " + min + " and " + max + ", got " + n);
        }
        return v.longValueExact();
    }

    public Double number(String name, double min, double max) {
        JsonNode n = get(name);
        if (n == null) {
            return null;
        }
        if (!n.isNumber()) {
            throw InvalidRequestException.invalid(param(name), "'" + param(name) + "' must be a number, got " + kind(n));
        }
        BigDecimal v = n.decimalValue();
        if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw InvalidRequestException.invalid(param(name), "'" + param(name) + "' must be between " + min + " and " + max + ", got " + n);
        }
        return v.doubleValue();
    }

    public RequestFields object(String name) {
        JsonNode n = get(name);
        if (n == null) {
            return null;
        }
        if (!n.isObject()) {
            throw InvalidRequestException.invalid(param(name), "'" + param(name) + "' must be an object, got " + kind(n));
        }
        return new RequestFields((ObjectNode) n, param(name) + ".");
    }

    public ArrayNode array(String name) {
        JsonNode n = get(name);
        if (n == null) {
            return null;
        }
        if (!n.isArray()) {
            throw InvalidRequestException.invalid(param(name), "'" + param(name) + "' must be an array, got " + kind(n));
        }
        return (ArrayNode) n;
    }

    /** The fields of element {@code i} of array {@code name}, which must be an object. */
    public RequestFields element(String name, ArrayNode array, int i) {
        JsonNode n = array.get(i);
        String p = param(name) + "[" + i + "]";
        if (n == null || !n.isObject()) {
            throw InvalidRequestException.invalid(p, "'" + p + "' must be an object, got " + kind(n));
        }
        return new RequestFields((ObjectNode) n, p + ".");
    }

    /** Refuses a feature slm does not have when the request actually asks for it. */
    public void unsupported(String name, String why) {
        JsonNode n = get(name);
        if (n == null || (n.isBoolean() && !n.booleanValue()) || (n.isContainerNode() && n.isEmpty())) {
            return;
        }
        throw InvalidRequestException.unsupported(param(name),
                "'" + param(name) + "' is not supported: " + why);
    }

    public static String kind(JsonNode n) {
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
