package dev.slm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.SlmException;
import dev.slm.server.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server load measurement against a real slm server with the fixture model. */
class ServerLoadTest {

    @Test
    void twoClientsGetEveryTokenTheyAskedForAndTheirTimesAreMeasured() throws Exception {
        try (TestServer t = TestServer.start("""
                [model.story]
                path = ${MODEL}
                parallel = 2
                """)) {
            // Through the base URL with /v1, as OpenAI clients are configured; the model is the one listed.
            ServerLoad.Result r = new ServerLoad(new ServerLoad.Settings(URI.create(t.base + "/v1"), "", "", 2, 3, 12,
                    Duration.ofMinutes(2))).run();
            assertEquals("story", r.model());
            assertEquals(2, r.clients());
            assertEquals(6, r.requests());
            // The fixture's stories run longer than 12 tokens: the server's usage says 12 for each request.
            assertEquals(6 * 12, r.completionTokens());
            assertTrue(r.timeToFirstTokenMedianMillis() > 0 && r.timeToFirstTokenP95Millis() >= r.timeToFirstTokenMedianMillis(), r.toString());
            assertTrue(r.aggregateTokensPerSecond() > 0 && r.streamTokensPerSecond() > 0, r.toString());
            JsonNode json = new ObjectMapper().readTree(ServerLoad.toJson(t.base, List.of(r)));
            assertEquals(72, json.at("/results/0/completionTokens").asInt());
        }
    }

    @Test
    void aModelTheServerDoesNotHaveIsOneLineWithTheServersAnswer() {
        try (TestServer t = TestServer.start("[model.story]\npath = ${MODEL}\n")) {
            SlmException e = assertThrows(SlmException.class, () -> new ServerLoad(new ServerLoad.Settings(t.base,
                    "no-such-model", "", 1, 1, 4, Duration.ofSeconds(30))).run());
            assertTrue(e.getMessage().contains("/v1/chat/completions answered 404"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void noServerAndBadSettingsAreNamed() {
        SlmException e = assertThrows(SlmException.class, () -> new ServerLoad(new ServerLoad.Settings(
                URI.create("http://127.0.0.1:9"), "m", "", 1, 1, 4, Duration.ofSeconds(5))).run());
        assertTrue(e.getMessage().startsWith("cannot connect to http://127.0.0.1:9/v1/chat/completions"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new ServerLoad.Settings(
                URI.create("ftp://x"), "m", "", 1, 1, 4, Duration.ofSeconds(5)));
        assertTrue(bad.getMessage().contains("needs an http(s) URL"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ServerLoad.Settings(
                URI.create("http://x"), "m", "", 0, 1, 4, Duration.ofSeconds(5)));
    }

    /**
     * A server that closes a kept-alive connection as the next request goes out (llama-server under
     * load) costs that request a second try, not the whole measurement.
     */
    @Test
    void aConnectionTheServerClosedWithoutAnAnswerIsTriedAgain() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger requests = new AtomicInteger();
            Thread server = Thread.ofPlatform().daemon().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                        int length = 0;
                        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                                length = Integer.parseInt(line.substring(15).trim());
                            }
                        }
                        in.skip(length);
                        if (requests.incrementAndGet() == 2) {
                            continue; // the first measured request: closed with no answer
                        }
                        String body = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
                                + "data: {\"choices\":[],\"usage\":{\"completion_tokens\":4}}\n\ndata: [DONE]\n\n";
                        s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n"
                                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                                .getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            URI base = URI.create("http://127.0.0.1:" + socket.getLocalPort());
            ServerLoad.Result r = new ServerLoad(new ServerLoad.Settings(base, "m", "", 1, 2, 4, Duration.ofSeconds(30))).run();
            assertEquals(2, r.requests());
            assertEquals(8, r.completionTokens());
            assertEquals(4, requests.get(), "the warm-up, the closed one, its second try, the last one");
            server.interrupt();
        }
    }

    @Test
    void percentilesAreNearestRank() {
        double[] values = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
        assertEquals(50, ServerLoad.percentile(values, 50));
        assertEquals(100, ServerLoad.percentile(values, 95));
        assertEquals(0, ServerLoad.percentile(new double[0], 50));
    }
}
