package dev.slm.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slm.routing.local.LocalAnswerer;
import dev.slm.openai.ChunkStream;
import dev.slm.openai.CompletionRequest;
import dev.slm.openai.CompletionEndpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on 127.0.0.1 that plays an OpenAI-compatible upstream: it records every request
 * it receives (path, headers, raw body) and answers with scripted behaviours, one per request in
 * order, then the default one.
 */
final class ScriptedUpstream implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** What the server does with one request. */
    @FunctionalInterface
    interface Behaviour {
        void respond(HttpExchange exchange, ObjectNode body) throws Exception;
    }

    record Received(String path, Map<String, List<String>> headers, String rawBody) {
        ObjectNode json() {
            try {
                return (ObjectNode) JSON.readTree(rawBody);
            } catch (IOException e) {
                throw new AssertionError("the upstream received a body that is not JSON: " + rawBody, e);
            }
        }

        String header(String name) {
            List<String> values = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(Map.Entry::getValue).findFirst().orElse(List.of());
            return values.isEmpty() ? null : values.getFirst();
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Behaviour> script = new ConcurrentLinkedQueue<>();
    private volatile Behaviour fallback;

    ScriptedUpstream(Behaviour defaultBehaviour) throws IOException {
        this.fallback = defaultBehaviour;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            String raw = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()), raw));
            Behaviour next = script.poll();
            try {
                ObjectNode body = raw.isBlank() ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(raw);
                (next != null ? next : fallback).respond(exchange, body);
                exchange.close();
            } catch (CutConnection e) {
                // Not closing the exchange: the server then drops the socket, mid-response.
                throw e;
            } catch (Exception e) {
                exchange.close();
            }
        });
        server.start();
    }

    /** The base URL clients use: http://127.0.0.1:PORT/v1 */
    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The next requests get these behaviours, in order; later ones the default. */
    ScriptedUpstream then(Behaviour... behaviours) {
        script.addAll(List.of(behaviours));
        return this;
    }

    void setDefault(Behaviour behaviour) {
        this.fallback = behaviour;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    int requestCount() {
        return received.size();
    }

    Received last() {
        return received.getLast();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- behaviours ----

    /** A chat completion (or text completion, for /completions) whose answer is {@code text}. */
    static Behaviour answers(String text) {
        return (exchange, body) -> {
            ObjectNode answer = JSON.createObjectNode();
            boolean chat = exchange.getRequestURI().getPath().endsWith("/chat/completions");
            answer.put("id", "up-1").put("object", chat ? "chat.completion" : "text_completion")
                    .put("model", body.path("model").asText());
            ObjectNode choice = answer.putArray("choices").addObject().put("index", 0);
            if (chat) {
                choice.putObject("message").put("role", "assistant").put("content", text);
            } else {
                choice.put("text", text);
            }
            choice.put("finish_reason", "stop");
            answer.putObject("usage").put("prompt_tokens", 11).put("completion_tokens", 7).put("total_tokens", 18);
            json(200, answer.toString()).respond(exchange, body);
        };
    }

    /** Echoes the text of the request's last message (or prompt) back as the answer. */
    static Behaviour echoes() {
        return (exchange, body) -> {
            JsonNode messages = body.path("messages");
            String text = messages.isArray() ? messages.get(messages.size() - 1).path("content").asText()
                    : body.path("prompt").asText();
            answers("You said: " + text).respond(exchange, body);
        };
    }

    static Behaviour json(int status, String body) {
        return (exchange, request) -> send(exchange, status, "application/json", body);
    }

    static Behaviour text(int status, String contentType, String body) {
        return (exchange, request) -> send(exchange, status, contentType, body);
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Chat chunks that carry {@code pieces} in order, then a finish chunk, usage chunk if asked, [DONE]. */
    static Behaviour streams(String... pieces) {
        return (exchange, body) -> {
            List<String> events = new ArrayList<>();
            for (int i = 0; i < pieces.length; i++) {
                events.add(chatChunk(body, i == 0, pieces[i], null).toString());
            }
            events.add(chatChunk(body, false, null, "stop").toString());
            if (body.path("stream_options").path("include_usage").asBoolean()) {
                ObjectNode usage = chatChunk(body, false, null, null);
                usage.putArray("choices");
                usage.putObject("usage").put("prompt_tokens", 11).put("completion_tokens", pieces.length)
                        .put("total_tokens", 11 + pieces.length);
                events.add(usage.toString());
            }
            events.add("[DONE]");
            sse(events).respond(exchange, body);
        };
    }

    static ObjectNode chatChunk(ObjectNode request, boolean first, String content, String finish) {
        ObjectNode chunk = JSON.createObjectNode().put("id", "up-chunk").put("object", "chat.completion.chunk")
                .put("model", request.path("model").asText());
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (first) {
            delta.put("role", "assistant");
        }
        if (content != null) {
            delta.put("content", content);
        }
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return chunk;
    }

    /** An event stream with these {@code data:} payloads, flushed one by one. */
    static Behaviour sse(List<String> dataEvents) {
        return (exchange, body) -> {
            OutputStream out = startStream(exchange);
            for (String data : dataEvents) {
                out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        };
    }

    /** Raw bytes as an event stream, exactly as given. */
    static Behaviour rawStream(String raw) {
        return (exchange, body) -> {
            OutputStream out = startStream(exchange);
            out.write(raw.getBytes(StandardCharsets.UTF_8));
            out.flush();
        };
    }

    /** Sends these events, then stops writing without ending the stream until the test ends. */
    static Behaviour sseThenHang(List<String> dataEvents) {
        return (exchange, body) -> {
            sse(dataEvents).respond(exchange, body);
            Thread.sleep(60_000);
        };
    }

    /** Thrown by a behaviour to make the server drop the connection as it is. */
    static final class CutConnection extends RuntimeException {
        CutConnection() {
            super("scripted: connection dropped", null, false, false);
        }
    }

    /** Sends these events, then drops the connection without the end of the chunked body. */
    static Behaviour sseThenCut(List<String> dataEvents) {
        return (exchange, body) -> {
            sse(dataEvents).respond(exchange, body);
            throw new CutConnection();
        };
    }

    /** Never answers (until the test ends). */
    static Behaviour hangs() {
        return (exchange, body) -> Thread.sleep(60_000);
    }

    /** Drops the connection before sending any status line. */
    static Behaviour dropsConnection() {
        return (exchange, body) -> {
            throw new CutConnection();
        };
    }

    /** Answers like an OpenAI-compatible server backed by {@code local} (a second "slm serve"). */
    static Behaviour servedBy(LocalAnswerer local) {
        return (exchange, body) -> {
            CompletionEndpoint endpoint = CompletionEndpoint.forRequestPath(exchange.getRequestURI().getPath()).orElseThrow();
            CompletionRequest request = new CompletionRequest(endpoint, body, Map.of());
            if (!request.stream()) {
                json(200, local.complete(request).toString()).respond(exchange, body);
                return;
            }
            OutputStream out = startStream(exchange);
            try (ChunkStream chunks = local.stream(request)) {
                for (ObjectNode chunk = chunks.next(); chunk != null; chunk = chunks.next()) {
                    out.write(("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        };
    }

    private static OutputStream startStream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }
}
