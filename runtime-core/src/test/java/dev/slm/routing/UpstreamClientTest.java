package dev.slm.routing;

import static dev.slm.routing.ScriptedUpstream.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.openai.ChunkStream;
import dev.slm.openai.CompletionEndpoint;
import dev.slm.routing.upstream.Upstream;
import dev.slm.routing.upstream.UpstreamClient;
import dev.slm.routing.upstream.UpstreamException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/** The upstream client against a real scripted server on loopback. Timeouts guard against hangs. */
@Timeout(20)
class UpstreamClientTest {
    /** Generous: the first request of a JVM on a busy machine is slow; only the timeout tests wait less. */
    private static final Duration PATIENT = Duration.ofSeconds(10);
    private static final Duration SHORT = Duration.ofMillis(400);

    private ScriptedUpstream server;
    private UpstreamClient client;

    @BeforeEach
    void start() throws Exception {
        server = new ScriptedUpstream(ScriptedUpstream.answers("Hello from upstream"));
        client = new UpstreamClient(upstream(server.baseUrl()).withApiKey("sk-test"));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private static Upstream upstream(URI url) {
        return Upstream.of("big", url, "big-model").withTimeouts(PATIENT, PATIENT, PATIENT);
    }

    private UpstreamClient impatient() {
        return new UpstreamClient(Upstream.of("big", server.baseUrl(), "big-model")
                .withTimeouts(PATIENT, Duration.ofSeconds(1), SHORT));
    }

    private static ObjectNode chat(String text) {
        ObjectNode body = JSON.createObjectNode().put("model", "auto");
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return body;
    }

    @Test
    void sendsTheBodyWithTheUpstreamKeyAndReturnsTheAnswer() {
        ObjectNode answer = client.complete(CompletionEndpoint.CHAT_COMPLETIONS, chat("hi"));
        assertEquals("Hello from upstream", answer.at("/choices/0/message/content").asText());
        ScriptedUpstream.Received got = server.last();
        assertEquals("/v1/chat/completions", got.path());
        assertEquals("Bearer sk-test", got.header("Authorization"));
        assertEquals("hi", got.json().at("/messages/0/content").asText());
        assertFalse(got.json().path("stream").asBoolean(true));
    }

    @Test
    void streamsChunksUntilDone() {
        server.then(ScriptedUpstream.streams("Once", " upon", " a time"));
        List<String> pieces = new ArrayList<>();
        try (ChunkStream chunks = client.stream(CompletionEndpoint.CHAT_COMPLETIONS, chat("go"))) {
            for (ObjectNode c = chunks.next(); c != null; c = chunks.next()) {
                pieces.add(c.at("/choices/0/delta/content").asText(""));
            }
            assertNull(chunks.next(), "an ended stream stays ended");
        }
        assertEquals(List.of("Once", " upon", " a time", ""), pieces);
        assertTrue(server.last().json().path("stream").asBoolean());
        assertEquals("text/event-stream", server.last().header("Accept"));
    }

    @Test
    void parsesEventStreamsByTheSseRules() {
        // CRLF line ends, a comment, an event name, and one event's data split over two data lines.
        String raw = ": keep-alive\r\n\r\nevent: message\r\ndata: {\"choices\":[{\"index\":0,\r\n"
                + "data: \"delta\":{\"content\":\"ok\"}}]}\r\n\r\ndata:[DONE]\r\n\r\n";
        server.then(ScriptedUpstream.rawStream(raw));
        try (ChunkStream chunks = client.stream(CompletionEndpoint.CHAT_COMPLETIONS, chat("go"))) {
            assertEquals("ok", chunks.next().at("/choices/0/delta/content").asText());
            assertNull(chunks.next());
        }
    }

    @Test
    void anHttpErrorNamesTheUpstreamAndCarriesItsMessage() {
        server.then(ScriptedUpstream.json(500, "{\"error\":{\"message\":\"model crashed\"}}"));
        UpstreamException e = failure(UpstreamException.Kind.HTTP_STATUS,
                () -> client.complete(CompletionEndpoint.CHAT_COMPLETIONS, chat("hi")));
        assertEquals(500, e.httpStatus());
        assertTrue(e.getMessage().contains("HTTP 500: model crashed"), e.getMessage());

        server.then(ScriptedUpstream.text(503, "text/plain", "overloaded,\nretry later"));
        UpstreamException s = failure(UpstreamException.Kind.HTTP_STATUS,
                () -> client.stream(CompletionEndpoint.CHAT_COMPLETIONS, chat("hi")));
        assertTrue(s.getMessage().contains("HTTP 503: overloaded, retry later"), s.getMessage());
    }

    @Test
    void anAnswerThatIsNotJsonOrNotACompletionIsABadResponse() {
        server.then(ScriptedUpstream.text(200, "application/json", "<html>gateway</html>"),
                ScriptedUpstream.json(200, "{\"object\":\"list\",\"data\":[]}"));
        UpstreamException notJson = failure(UpstreamException.Kind.BAD_RESPONSE,
                () -> client.complete(CompletionEndpoint.CHAT_COMPLETIONS, chat("hi")));
        assertTrue(notJson.getMessage().contains("not JSON: <html>gateway</html>"), notJson.getMessage());
        failure(UpstreamException.Kind.BAD_RESPONSE, () -> client.complete(CompletionEndpoint.CHAT_COMPLETIONS, chat("hi")));
    }

    @Test
    void aStreamingRequestAnsweredWithJsonIsABadResponse() {
        UpstreamException e = failure(UpstreamException.Kind.BAD_RESPONSE,
                () -> client.stream(CompletionEndpoint.CHAT_COMPLETIONS, chat("hi")));
        assertTrue(e.getMessage().contains("instead of text/event-stream"), e.getMessage());
    }

    @Test
    void aBrokenChunkOrAnErrorEventEndsTheStreamWithAFailure() {
        server.then(ScriptedUpstream.sse(List.of(
                ScriptedUpstream.chatChunk(chat("x"), true, "fine", null).toString(), "{not json", "[DONE]")));
        try (ChunkStream chunks = client.stream(CompletionEndpoint.CHAT_COMPLETIONS, chat("go"))) {
            assertNotNull(chunks.next());
            failure(UpstreamException.Kind.BAD_RESPONSE, chunks::next);
        }
        server.then(ScriptedUpstream.sse(List.of("{\"error\":{\"message\":\"out of credit\"}}")));
        try (ChunkStream chunks = client.stream(CompletionEndpoint.CHAT_COMPLETIONS, chat("go"))) {
            UpstreamException e = failure(UpstreamException.Kind.STREAM_ERROR, chunks::next);
            assertTrue(e.getMessage().contains("out of credit"), e.getMessage());
        }
    }

    @Test
    void aSilentUpstreamTimesOutInsteadOfHanging() {
        server.then(ScriptedUpstream.hangs(), ScriptedUpstream.hangs());
        try (UpstreamClient impatient = impatient()) {
            UpstreamException e = failure(UpstreamException.Kind.TIMEOUT,
                    () -> impatient.complete(CompletionEndpoint.CHAT_COMPLETIONS, chat("hi")));
            assertTrue(e.getMessage().contains("gave no answer within 1s"), e.getMessage());
            failure(UpstreamException.Kind.TIMEOUT, () -> impatient.stream(CompletionEndpoint.CHAT_COMPLETIONS, chat("hi")));
        }
    }

    @Test
    void aStreamThatGoesSilentTimesOutBetweenChunks() {
        server.then(ScriptedUpstream.sseThenHang(List.of(
                ScriptedUpstream.chatChunk(chat("x"), true, "one", null).toString())));
        try (UpstreamClient impatient = impatient();
             ChunkStream chunks = impatient.stream(CompletionEndpoint.CHAT_COMPLETIONS, chat("go"))) {
            assertEquals("one", chunks.next().at("/choices/0/delta/content").asText());
            UpstreamException e = failure(UpstreamException.Kind.TIMEOUT, chunks::next);
            assertTrue(e.getMessage().contains("sent nothing for 400ms"), e.getMessage());
        }
    }

    @Test
    void aStreamCutOffBeforeDoneIsAConnectionFailure() {
        String one = ScriptedUpstream.chatChunk(chat("x"), true, "one", null).toString();
        server.then(ScriptedUpstream.sseThenCut(List.of(one)));
        try (ChunkStream chunks = client.stream(CompletionEndpoint.CHAT_COMPLETIONS, chat("go"))) {
            assertNotNull(chunks.next());
            failure(UpstreamException.Kind.CONNECTION, chunks::next);
        }
        // A body that ends cleanly but without [DONE] was cut off too.
        server.then(ScriptedUpstream.sse(List.of(one)));
        try (ChunkStream chunks = client.stream(CompletionEndpoint.CHAT_COMPLETIONS, chat("go"))) {
            assertNotNull(chunks.next());
            UpstreamException e = failure(UpstreamException.Kind.CONNECTION, chunks::next);
            assertTrue(e.getMessage().contains("before [DONE]"), e.getMessage());
        }
    }

    @Test
    void aDroppedConnectionIsAConnectionFailure() {
        server.then(ScriptedUpstream.dropsConnection(), ScriptedUpstream.dropsConnection());
        failure(UpstreamException.Kind.CONNECTION, () -> client.complete(CompletionEndpoint.CHAT_COMPLETIONS, chat("hi")));
        failure(UpstreamException.Kind.CONNECTION, () -> client.stream(CompletionEndpoint.CHAT_COMPLETIONS, chat("hi")));
    }

    @Test
    void aRefusedConnectionSaysSo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (UpstreamClient dead = new UpstreamClient(upstream(URI.create("http://127.0.0.1:" + port + "/v1")))) {
            UpstreamException e = failure(UpstreamException.Kind.CONNECTION,
                    () -> dead.complete(CompletionEndpoint.CHAT_COMPLETIONS, chat("hi")));
            assertTrue(e.getMessage().contains("refused the connection"), e.getMessage());
        }
    }

    @Test
    void tlsToAServerThatAnswersInPlainTextIsATlsFailure() throws Exception {
        // A plain HTTP server that answers at once, as a misconfigured proxy would: not a TLS record.
        try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = plain.accept()) {
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().read(new byte[1024]);
                } catch (IOException e) {
                    // The client hung up: that is the point.
                }
            });
            URI https = URI.create("https://127.0.0.1:" + plain.getLocalPort() + "/v1");
            try (UpstreamClient tls = new UpstreamClient(upstream(https))) {
                UpstreamException e = failure(UpstreamException.Kind.TLS,
                        () -> tls.complete(CompletionEndpoint.CHAT_COMPLETIONS, chat("hi")));
                assertTrue(e.getMessage().contains("TLS failed"), e.getMessage());
            }
        }
    }

    /** Runs {@code call}, which must fail with {@code kind}, with a one-line message naming the upstream. */
    private static UpstreamException failure(UpstreamException.Kind kind, Executable call) {
        UpstreamException e = assertThrows(UpstreamException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        assertEquals("big", e.upstream());
        assertTrue(e.getMessage().startsWith("upstream 'big' (http"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }
}
