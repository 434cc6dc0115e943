package dev.slm.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.slm.engine.Usage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One HTTP request and its answer, with the parts every endpoint needs: a size-limited JSON body,
 * JSON and error answers, Server-Sent Events, and what the access log reports.
 */
final class ApiExchange {
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private final HttpExchange exchange;
    private final long maxBodyBytes;
    private int status;
    private String model;
    private Usage usage;
    private boolean streamed;
    private boolean bodyRead;

    ApiExchange(HttpExchange exchange, long maxBodyBytes) {
        this.exchange = exchange;
        this.maxBodyBytes = maxBodyBytes;
    }

    HttpExchange http() {
        return exchange;
    }

    String method() {
        return exchange.getRequestMethod();
    }

    String path() {
        return exchange.getRequestURI().getPath();
    }

    String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    int status() {
        return status;
    }

    void note(String model, Usage usage) {
        this.model = model;
        this.usage = usage;
    }

    String model() {
        return model;
    }

    Usage usage() {
        return usage;
    }

    boolean streamed() {
        return streamed;
    }

    /**
     * The body as a JSON object: 415 unless it is declared {@code application/json}, 413 past the
     * size limit, 400 for anything that is not one JSON object. A web page can send
     * {@code text/plain} to any address without asking (no CORS preflight); it cannot send JSON.
     */
    ObjectNode readJsonObject() throws IOException {
        String type = header("Content-Type");
        String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
        if (!media.equals("application/json")) {
            throw new ApiException(415, "invalid_request_error", "unsupported_media_type", null,
                    "the request body must be sent as Content-Type: application/json"
                            + (type == null ? " (none was given)" : ", not " + LogSafe.of(type))
                            + "; with curl: -H 'Content-Type: application/json'");
        }
        String declared = header("Content-Length");
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.strip());
            } catch (NumberFormatException e) {
                throw new ApiException(400, "invalid_request_error", "invalid_body", null, "Content-Length is not a number");
            }
            if (length > maxBodyBytes) {
                throw tooLarge();
            }
        }
        byte[] body = readAtMost(exchange.getRequestBody(), maxBodyBytes);
        bodyRead = true;
        if (body.length == 0) {
            throw new ApiException(400, "invalid_request_error", "invalid_body", null,
                    "the request body is empty: send a JSON object");
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "invalid_request_error", "invalid_json", null,
                    "the request body is not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(400, "invalid_request_error", "invalid_body", null, "the request body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    private boolean hasBody() {
        String length = header("Content-Length");
        return header("Transfer-Encoding") != null || (length != null && !length.strip().equals("0"));
    }

    private byte[] readAtMost(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) != -1) {
            out.write(buffer, 0, n);
            if (out.size() > limit) {
                throw tooLarge();
            }
        }
        return out.toByteArray();
    }

    private ApiException tooLarge() {
        return new ApiException(413, "invalid_request_error", "body_too_large", null,
                "the request body is larger than this server accepts (" + maxBodyBytes + " bytes, max_body)");
    }

    void sendJson(int code, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        send(code, bytes);
    }

    void sendText(int code, String contentType, String body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        send(code, body.getBytes(StandardCharsets.UTF_8));
    }

    /** An answer of headers only (a CORS preflight's 204). */
    void sendEmpty(int code) throws IOException {
        send(code, new byte[0]);
    }

    private void send(int code, byte[] bytes) throws IOException {
        status = code;
        boolean head = "HEAD".equals(method());
        exchange.sendResponseHeaders(code, head || bytes.length == 0 ? -1 : bytes.length);
        if (!head && bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    void sendError(ApiException e) throws IOException {
        for (Map.Entry<String, String> h : e.headers().entrySet()) {
            exchange.getResponseHeaders().set(h.getKey(), h.getValue());
        }
        if (!bodyRead && hasBody()) {
            // The unread rest of the body would be taken for the next request: this connection is done.
            exchange.getResponseHeaders().set("Connection", "close");
        }
        if (path().startsWith("/api/")) {
            // Ollama's clients read {"error": "message"}.
            sendJson(e.status(), JSON.createObjectNode().put("error", e.getMessage()));
            return;
        }
        sendJson(e.status(), errorBody(e));
    }

    /** {@code {"error":{"message","type","param","code"}}}, as OpenAI's API writes errors. */
    static ObjectNode errorBody(ApiException e) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type());
        error.put("param", e.param());
        error.put("code", e.code());
        return root;
    }

    /** Starts a {@code text/event-stream} answer (status 200, chunked); each event is flushed as it is sent. */
    EventStream startEventStream() throws IOException {
        status = 200;
        streamed = true;
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "text/event-stream; charset=utf-8");
        headers.set("Cache-Control", "no-cache");
        headers.set("X-Accel-Buffering", "no");
        exchange.sendResponseHeaders(200, 0);
        return new EventStream(exchange.getResponseBody());
    }

    /** Starts an {@code application/x-ndjson} answer (status 200, chunked): Ollama's stream, one JSON object a line. */
    LineStream startLines() throws IOException {
        status = 200;
        streamed = true;
        exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
        exchange.sendResponseHeaders(200, 0);
        return new LineStream(exchange.getResponseBody());
    }

    /** One JSON object a line, each flushed as it is sent. */
    static final class LineStream {
        private final OutputStream out;

        private LineStream(OutputStream out) {
            this.out = out;
        }

        /** @throws IOException when the client has gone away */
        void send(JsonNode line) throws IOException {
            out.write((JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void close() {
            try {
                out.close();
            } catch (IOException e) {
                // the client is gone
            }
        }
    }

    /** Server-Sent Events: {@code data: <json>} lines, ended by {@code data: [DONE]}. */
    static final class EventStream {
        private final OutputStream out;

        private EventStream(OutputStream out) {
            this.out = out;
        }

        /** @throws IOException when the client has gone away */
        void send(JsonNode event) throws IOException {
            write("data: " + JSON.writeValueAsString(event) + "\n\n");
        }

        /**
         * A failure after the stream began, as OpenAI's API sends it: {@code event: error} with the
         * error body; clients that read only {@code data:} still see the {@code error} field.
         */
        void error(JsonNode body) throws IOException {
            write("event: error\ndata: " + JSON.writeValueAsString(body) + "\n\n");
        }

        /** An event with a name ({@code event: NAME}), or a plain one when {@code name} is null. */
        void send(String name, JsonNode event) throws IOException {
            if (name == null) {
                send(event);
            } else {
                write("event: " + name + "\ndata: " + JSON.writeValueAsString(event) + "\n\n");
            }
        }

        void done() throws IOException {
            write("data: [DONE]\n\n");
        }

        private void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void close() {
            try {
                out.close();
            } catch (IOException e) {
                // the client is gone; nothing more to tell it
            }
        }
    }
}
