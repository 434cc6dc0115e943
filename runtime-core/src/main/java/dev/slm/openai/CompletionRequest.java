package dev.slm.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A client's request to an OpenAI-compatible endpoint: the JSON body, the HTTP headers that came
 * with it (names in lower case; the first value of each), and the body as {@link OpenAiRequest}
 * parsed it. The body is what goes upstream (redacted, with the upstream's model); the parsed request
 * is what a local model answers, so the body is read once, by the one codec.
 *
 * <p>The body is the caller's: whoever needs to change it works on {@link #body()}{@code .deepCopy()}
 * through {@link #withBody}.
 *
 * @throws InvalidRequestException (from the constructors) when the body is not a valid request
 */
public record CompletionRequest(CompletionEndpoint endpoint, ObjectNode body, Map<String, String> headers,
                                OpenAiRequest parsed) {

    public CompletionRequest {
        if (endpoint == null || body == null) {
            throw new IllegalArgumentException("a completion request needs an endpoint and a JSON body");
        }
        Map<String, String> lower = new TreeMap<>();
        if (headers != null) {
            headers.forEach((k, v) -> lower.putIfAbsent(k.toLowerCase(Locale.ROOT), v));
        }
        headers = Map.copyOf(lower);
        if (parsed == null) {
            parsed = OpenAiRequest.parse(endpoint, body, OpenAiRequest.NO_TOKEN_CAP);
        } else if (parsed.endpoint() != endpoint) {
            throw new IllegalArgumentException("the parsed request is for " + parsed.endpoint() + ", not " + endpoint);
        }
    }

    /** Parses {@code body} (without a cap on {@code max_tokens}). */
    public CompletionRequest(CompletionEndpoint endpoint, ObjectNode body, Map<String, String> headers) {
        this(endpoint, body, headers, null);
    }

    /**
     * A request the HTTP layer has already parsed, with headers as an HTTP server gives them (e.g.
     * {@code com.sun.net.httpserver.Headers}).
     */
    public static CompletionRequest of(OpenAiRequest parsed, ObjectNode body, Map<String, List<String>> headers) {
        Map<String, String> first = new TreeMap<>();
        headers.forEach((k, v) -> {
            if (k != null && v != null && !v.isEmpty()) {
                first.putIfAbsent(k.toLowerCase(Locale.ROOT), v.getFirst());
            }
        });
        return new CompletionRequest(parsed.endpoint(), body, first, parsed);
    }

    /** The model the client asked for. */
    public String model() {
        return parsed.model();
    }

    public boolean stream() {
        return parsed.stream();
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

    /** Another body for the same endpoint and headers, parsed anew (without a cap on {@code max_tokens}). */
    public CompletionRequest withBody(ObjectNode newBody) {
        return new CompletionRequest(endpoint, newBody, headers);
    }

    /** A copy that asks for {@code model} instead. */
    public CompletionRequest withModel(String model) {
        ObjectNode copy = body.deepCopy();
        copy.put("model", model);
        return new CompletionRequest(endpoint, copy, headers, parsed.withModel(model));
    }

    /** A copy streamed with a usage chunk at the end, whatever the client asked for. */
    public CompletionRequest streamedWithUsage() {
        ObjectNode copy = body.deepCopy();
        copy.put("stream", true);
        OpenAiShape.requestStreamUsage(copy);
        return new CompletionRequest(endpoint, copy, headers, parsed.streamedWithUsage());
    }
}
