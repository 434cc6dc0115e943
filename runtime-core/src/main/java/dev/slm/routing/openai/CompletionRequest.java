package dev.slm.routing.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A client's request to an OpenAI-compatible endpoint: the JSON body and the HTTP headers that came
 * with it (names in lower case; the first value of each).
 *
 * <p>The body is the caller's: whoever needs to change it works on {@link #body()}{@code .deepCopy()}
 * through {@link #withBody}.
 */
public record CompletionRequest(Endpoint endpoint, ObjectNode body, Map<String, String> headers) {

    public CompletionRequest {
        if (endpoint == null || body == null) {
            throw new IllegalArgumentException("a completion request needs an endpoint and a JSON body");
        }
        Map<String, String> lower = new TreeMap<>();
        if (headers != null) {
            headers.forEach((k, v) -> lower.putIfAbsent(k.toLowerCase(Locale.ROOT), v));
        }
        headers = Map.copyOf(lower);
    }

    /** From headers as an HTTP server gives them (e.g. {@code com.sun.net.httpserver.Headers}). */
    public static CompletionRequest of(Endpoint endpoint, ObjectNode body, Map<String, List<String>> headers) {
        Map<String, String> first = new TreeMap<>();
        headers.forEach((k, v) -> {
            if (k != null && v != null && !v.isEmpty()) {
                first.putIfAbsent(k.toLowerCase(Locale.ROOT), v.getFirst());
            }
        });
        return new CompletionRequest(endpoint, body, first);
    }

    /** The model the client asked for ("" when it named none). */
    public String model() {
        return body.path("model").asText("");
    }

    public boolean stream() {
        return body.path("stream").asBoolean(false);
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** A value of the request's {@code metadata} object (OpenAI's free-form string tags). */
    public Optional<String> metadata(String key) {
        JsonNode value = body.path("metadata").path(key);
        return value.isValueNode() ? Optional.of(value.asText()) : Optional.empty();
    }

    /** Everything the client wrote: the messages' or the prompt's text, one part a line. */
    public String text() {
        return OpenAiShape.requestText(endpoint, body);
    }

    public CompletionRequest withBody(ObjectNode newBody) {
        return new CompletionRequest(endpoint, newBody, headers);
    }

    /** A copy that asks for {@code model} instead. */
    public CompletionRequest withModel(String model) {
        ObjectNode copy = body.deepCopy();
        copy.put("model", model);
        return withBody(copy);
    }
}
