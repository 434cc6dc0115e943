package dev.slm.routing.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.openai.ChunkStream;
import dev.slm.openai.CompletionEndpoint;
import dev.slm.openai.OpenAiShape;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends OpenAI-compatible requests to one {@link Upstream} and hands back its answer, whole or as a
 * stream of chunks. It never waits without a limit: the connection, the whole answer (or a stream's
 * first bytes) and each silence inside a stream have their own timeouts, and every failure becomes
 * an {@link UpstreamException} naming the upstream.
 *
 * <p>Only the JSON body given is sent, with the upstream's own key: none of the client's headers.
 * Thread-safe; one instance per upstream shares its connections.
 */
public final class UpstreamClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UpstreamClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ERROR_BODY_LIMIT = 4096;

    private final Upstream upstream;
    private final HttpClient http;

    public UpstreamClient(Upstream upstream) {
        this.upstream = upstream;
        // HTTP/1.1: an h2c upgrade attempt on plain http gains nothing for one request and confuses some servers.
        this.http = HttpClient.newBuilder()
                .connectTimeout(upstream.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public Upstream upstream() {
        return upstream;
    }

    /**
     * Sends a non-streaming request and returns the whole answer.
     *
     * @throws UpstreamException on a timeout, a connection or TLS failure, a status other than 200 or
     *                           an answer that is not an OpenAI completion.
     */
    public ObjectNode complete(CompletionEndpoint endpoint, ObjectNode body) {
        ObjectNode request = body.deepCopy();
        request.put("stream", false);
        request.remove("stream_options");
        URI uri = upstream.endpointUri(endpoint);
        HttpResponse<String> response = await(http.sendAsync(newRequest(uri, request, "application/json"),
                HttpResponse.BodyHandlers.ofString()), uri);
        if (response.statusCode() != 200) {
            throw statusFailure(uri, response.statusCode(), response.body());
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw failure(uri, UpstreamException.Kind.BAD_RESPONSE, 0,
                    "answered with something that is not JSON: " + snippet(response.body()), e);
        }
        if (!OpenAiShape.isCompletion(answer)) {
            throw failure(uri, UpstreamException.Kind.BAD_RESPONSE, 0,
                    "answered JSON that is not a completion (no choices): " + snippet(response.body()), null);
        }
        return (ObjectNode) answer;
    }

    /**
     * Sends a streaming request and returns once the upstream has answered 200 with an event stream;
     * its chunks are then pulled from the returned stream, each within the idle timeout.
     *
     * @throws UpstreamException as for {@link #complete}; later failures are thrown by the stream.
     */
    public ChunkStream stream(CompletionEndpoint endpoint, ObjectNode body) {
        ObjectNode request = body.deepCopy();
        request.put("stream", true);
        URI uri = upstream.endpointUri(endpoint);
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = await(http.sendAsync(
                newRequest(uri, request, "text/event-stream"), HttpResponse.BodyHandlers.ofPublisher()), uri);
        LineSubscriber lines = new LineSubscriber();
        response.body().subscribe(lines);
        if (response.statusCode() != 200) {
            String text;
            try {
                text = lines.readRest(ERROR_BODY_LIMIT, upstream.idleTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                text = "";
            } finally {
                lines.cancel();
            }
            throw statusFailure(uri, response.statusCode(), text);
        }
        String type = response.headers().firstValue("content-type").orElse("");
        if (!type.startsWith("text/event-stream")) {
            lines.cancel();
            throw failure(uri, UpstreamException.Kind.BAD_RESPONSE, 0,
                    "answered a streaming request with content type '" + type + "' instead of text/event-stream", null);
        }
        return new UpstreamChunkStream(this, uri, lines);
    }

    private HttpRequest newRequest(URI uri, ObjectNode body, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(upstream.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (upstream.apiKey() != null && !upstream.apiKey().isEmpty()) {
            b.header("Authorization", "Bearer " + upstream.apiKey());
        }
        return b.build();
    }

    private <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> future, URI uri) {
        Duration limit = upstream.connectTimeout().plus(upstream.timeout());
        try {
            return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw failure(uri, UpstreamException.Kind.TIMEOUT, 0, "gave no answer within " + human(limit), e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw failure(uri, UpstreamException.Kind.INTERRUPTED, 0, "interrupted while waiting for the answer", e);
        } catch (ExecutionException | CompletionException e) {
            throw transportFailure(uri, e.getCause() == null ? e : e.getCause());
        }
    }

    /** Maps what the HTTP client threw to the kind of failure, with a message that says what happened. */
    UpstreamException transportFailure(URI uri, Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HttpConnectTimeoutException) {
                return failure(uri, UpstreamException.Kind.TIMEOUT, 0,
                        "could not connect within " + human(upstream.connectTimeout()), error);
            }
            if (t instanceof HttpTimeoutException) {
                return failure(uri, UpstreamException.Kind.TIMEOUT, 0,
                        "gave no answer within " + human(upstream.timeout()), error);
            }
            if (t instanceof SSLException) {
                return failure(uri, UpstreamException.Kind.TLS, 0, "TLS failed: " + oneLine(t.getMessage()), error);
            }
            if (t instanceof ConnectException) {
                return failure(uri, UpstreamException.Kind.CONNECTION, 0, "refused the connection (is it running?)", error);
            }
        }
        String what = error instanceof IOException ? "the connection failed" : "the request failed";
        return failure(uri, UpstreamException.Kind.CONNECTION, 0,
                what + ": " + oneLine(error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage()),
                error);
    }

    private UpstreamException statusFailure(URI uri, int status, String body) {
        String detail = snippet(body);
        try {
            JsonNode error = JSON.readTree(body).path("error");
            String message = error.isTextual() ? error.asText() : error.path("message").asText("");
            if (!message.isBlank()) {
                detail = oneLine(message);
            }
        } catch (JsonProcessingException | RuntimeException e) {
            // Not JSON: the snippet of the body says it.
        }
        return failure(uri, UpstreamException.Kind.HTTP_STATUS, status,
                "answered HTTP " + status + (detail.isEmpty() ? "" : ": " + detail), null);
    }

    UpstreamException failure(URI uri, UpstreamException.Kind kind, int status, String what, Throwable cause) {
        UpstreamException e = new UpstreamException(upstream.name(), kind, status,
                "upstream '" + upstream.name() + "' (" + uri + ") " + what, cause);
        log.warn(e.getMessage());
        return e;
    }

    Duration idleTimeout() {
        return upstream.idleTimeout();
    }

    static String snippet(String text) {
        String line = oneLine(text == null ? "" : text).strip();
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ");
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /** Drops the connections at once: requests in flight fail. */
    @Override
    public void close() {
        http.shutdownNow();
    }
}
