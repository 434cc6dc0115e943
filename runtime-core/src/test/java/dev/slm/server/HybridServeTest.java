package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.slm.fixtures.FixtureModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hybrid routing in {@code slm serve}, end to end: a front server ("tiny") whose config names a
 * routing file, in front of a second real server that serves the same fixture model as "large".
 * Which server answered is checked through the {@code x-slm-route} header, {@code usage.slm_route}
 * and the second server's own request counter. Redaction is checked on what a recording upstream
 * received; a down upstream (a closed port) shows fallback and the 502.
 */
@Timeout(180)
class HybridServeTest {
    private static final String LONG_PROMPT = "Once upon a time there was a little girl who liked to play in the park";
    private static final String EMAIL = "jane.doe@example.com";
    /** Characters the fixture model never saw together: its samples disagree (confidence about 0.1). */
    private static final String LOST = "xq zv 9#k @@ ]] plo";

    @TempDir
    static Path dir;

    private static TestServer large;
    private static TestServer front;
    private static HttpServer recorder;
    private static final List<String> recorded = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        large = TestServer.start("[model.large]\npath = ${MODEL}\n");
        recorder = recordingUpstream();
        int downPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            downPort = s.getLocalPort();
        }
        Path routing = dir.resolve("routing.properties");
        Files.writeString(routing, """
                upstream.large.url=%s/v1
                upstream.large.model=large
                upstream.recorder.url=http://127.0.0.1:%d/v1
                upstream.recorder.model=big
                upstream.down.url=http://127.0.0.1:%d/v1
                upstream.down.model=big
                upstream.down.connect-timeout=2s
                upstream.down.timeout=5s

                route.auto.models=auto
                route.auto.local=tiny
                route.auto.upstream=large
                route.auto.escalate.prompt-chars=40
                route.auto.escalate.header=x-slm-route: upstream
                route.auto.fallback-to-local=false

                route.private.models=tiny
                route.private.upstream=large
                route.private.privacy=local-only
                route.private.escalate.prompt-chars=40

                route.redacted.models=redacted
                route.redacted.local=tiny
                route.redacted.upstream=recorder
                route.redacted.escalate.regex=(?i)secret
                route.redacted.redact=email

                route.fallback.models=fallback
                route.fallback.local=tiny
                route.fallback.upstream=down
                route.fallback.escalate.prompt-chars=1

                route.sure.models=sure
                route.sure.local=tiny
                route.sure.upstream=large
                route.sure.escalate.confidence-below=0.4

                route.crowded.models=crowded
                route.crowded.local=busy
                route.crowded.upstream=large

                route.strict.models=strict
                route.strict.local=tiny
                route.strict.upstream=down
                route.strict.escalate.prompt-chars=1
                route.strict.fallback-to-local=false
                """.formatted(large.base, recorder.getAddress().getPort(), downPort));
        front = TestServer.start("routing = " + routing + "\n[model.tiny]\npath = ${MODEL}\n"
                + "[model.busy]\npath = ${MODEL}\nqueue = 0\n");
    }

    @AfterAll
    static void stop() {
        if (front != null) {
            front.close();
        }
        if (large != null) {
            large.close();
        }
        if (recorder != null) {
            recorder.stop(0);
        }
    }

    @Test
    void aLongPromptForAutoIsAnsweredByTheSecondServerAShortOneLocally() {
        double before = generationRequests(large);

        HttpResponse<String> escalated = front.post("/v1/completions", body("auto", LONG_PROMPT, false));
        assertEquals(200, escalated.statusCode(), escalated.body());
        assertEquals("upstream:large", escalated.headers().firstValue("x-slm-route").orElse(null));
        assertEquals("upstream:large", TestServer.json(escalated).path("usage").path("slm_route").asText());
        assertEquals(before + 1, generationRequests(large));

        HttpResponse<String> local = front.post("/v1/completions", body("auto", FixtureModel.PROMPT, false));
        assertEquals(200, local.statusCode(), local.body());
        assertEquals("local", local.headers().firstValue("x-slm-route").orElse(null));
        JsonNode answer = TestServer.json(local);
        assertEquals("local", answer.path("usage").path("slm_route").asText());
        assertTrue(answer.path("choices").path(0).path("text").asText().startsWith(", there was"), answer.toString());
        assertEquals(before + 1, generationRequests(large), "the short request must not reach the second server");

        HttpResponse<String> byHeader = front.post("/v1/completions", body("auto", FixtureModel.PROMPT, false),
                "x-slm-route", "upstream");
        assertEquals("upstream:large", byHeader.headers().firstValue("x-slm-route").orElse(null));
        assertEquals(before + 2, generationRequests(large));

        String metrics = front.get("/metrics").body();
        assertTrue(metrics.contains("slm_routing_requests_total{route=\"auto\",target=\"upstream\",upstream=\"large\"}"), metrics);
        assertTrue(metrics.contains("slm_routing_requests_total{route=\"auto\",target=\"local\""), metrics);
        assertTrue(metrics.contains("slm_http_requests_total"), "the server's own metrics are still there");
    }

    @Test
    void streamsWorkInBothPathsAndCarryTheRouteInTheirUsage() {
        double before = generationRequests(large);

        Streamed up = stream(chatBody("auto", LONG_PROMPT));
        assertEquals("upstream:large", up.route);
        assertEquals("[DONE]", up.data.getLast());
        assertFalse(up.text().isEmpty(), up.data.toString());
        assertEquals("upstream:large", usageChunk(up).path("usage").path("slm_route").asText());
        assertEquals(before + 1, generationRequests(large));

        Streamed local = stream(chatBody("auto", FixtureModel.PROMPT));
        assertEquals("local", local.route);
        assertEquals("[DONE]", local.data.getLast());
        assertFalse(local.text().isEmpty(), local.data.toString());
        assertEquals("local", usageChunk(local).path("usage").path("slm_route").asText());
        assertEquals(before + 1, generationRequests(large));
    }

    @Test
    void aLocalOnlyRouteSendsNothingToTheSecondServerWhateverTheRules() {
        double before = generationRequests(large);
        HttpResponse<String> r = front.post("/v1/completions", body("tiny", LONG_PROMPT, false));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("local", r.headers().firstValue("x-slm-route").orElse(null));
        Streamed s = stream(chatBody("tiny", LONG_PROMPT));
        assertEquals("local", s.route);
        assertEquals(before, generationRequests(large), "a local-only request reached the second server");
    }

    @Test
    void whatLeavesIsRedactedAndTheAnswerGetsTheOriginalBack() {
        recorded.clear();
        HttpResponse<String> r = front.post("/v1/chat/completions",
                "{\"model\":\"redacted\",\"messages\":[{\"role\":\"user\",\"content\":\"my secret mail is " + EMAIL + "\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("upstream:recorder", r.headers().firstValue("x-slm-route").orElse(null));
        assertEquals(1, recorded.size());
        assertFalse(recorded.getFirst().contains(EMAIL), recorded.getFirst());
        assertTrue(recorded.getFirst().contains("[EMAIL_1]"), recorded.getFirst());
        assertEquals("I will write to " + EMAIL,
                TestServer.json(r).path("choices").path(0).path("message").path("content").asText());
    }

    @Test
    void aDownUpstreamFallsBackWhereAllowedElseIsA502NamingIt() {
        HttpResponse<String> fallback = front.post("/v1/completions", body("fallback", FixtureModel.PROMPT, false));
        assertEquals(200, fallback.statusCode(), fallback.body());
        assertEquals("local", fallback.headers().firstValue("x-slm-route").orElse(null));
        assertEquals("local", stream(chatBody("fallback", FixtureModel.PROMPT)).route);

        HttpResponse<String> strict = front.post("/v1/completions", body("strict", FixtureModel.PROMPT, false));
        assertEquals(502, strict.statusCode(), strict.body());
        String message = TestServer.json(strict).path("error").path("message").asText();
        assertTrue(message.contains("down"), message);
        HttpResponse<String> strictStream = front.post("/v1/chat/completions", chatBody("strict", FixtureModel.PROMPT));
        assertEquals(502, strictStream.statusCode(), strictStream.body());
        assertTrue(front.get("/metrics").body().contains("slm_routing_fallbacks_total"));
    }

    @Test
    void confidenceIsProbedThroughTheLocalRunnerAndALostModelEscalates() {
        double before = generationRequests(large);
        HttpResponse<String> sure = front.post("/v1/completions", body("sure", FixtureModel.PROMPT, false));
        assertEquals(200, sure.statusCode(), sure.body());
        assertEquals("local", sure.headers().firstValue("x-slm-route").orElse(null));
        assertEquals(before, generationRequests(large), "a prompt the model is sure of stays here");

        HttpResponse<String> lost = front.post("/v1/completions", body("sure", LOST, false));
        assertEquals(200, lost.statusCode(), lost.body());
        assertEquals("upstream:large", lost.headers().firstValue("x-slm-route").orElse(null));
        assertEquals(before + 1, generationRequests(large));
        assertEquals("upstream:large", stream(chatBody("sure", LOST)).route, "streams are probed before the first chunk");
    }

    @Test
    void aFullLocalQueueEscalatesToTheSecondServer() throws Exception {
        front.post("/v1/completions", TestServer.completionBody("busy", 2, false)); // loaded
        double before = generationRequests(large);
        // "busy" has one slot and no queue: while a long stream holds the slot, the local answer is a 429.
        try (RawHttpStream holder = RawHttpStream.post(front.base, "/v1/completions", TestServer.completionBody("busy", 1500, true))) {
            assertTrue(holder.nextChunk().startsWith("data: "));
            HttpResponse<String> r = front.post("/v1/completions", body("crowded", FixtureModel.PROMPT, false));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("upstream:large", r.headers().firstValue("x-slm-route").orElse(null));
            assertEquals(before + 1, generationRequests(large));
        }
        String metrics = front.get("/metrics").body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("slm_routing_local_failures_total{") && l.contains("route=\"crowded\"")
                && l.contains("queue")), metrics);
    }

    // --- helpers ---

    private static String body(String model, String prompt, boolean stream) {
        return "{\"model\":\"" + model + "\",\"prompt\":\"" + prompt + "\",\"max_tokens\":12,\"temperature\":0,\"stream\":" + stream + "}";
    }

    private static String chatBody(String model, String prompt) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
                + "\"}],\"max_tokens\":12,\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
    }

    /** Requests the server answered on its generation endpoints, whatever their status. */
    private static double generationRequests(TestServer server) {
        return server.metrics().entrySet().stream()
                .filter(e -> e.getKey().startsWith("slm_http_requests_total{endpoint=\"/v1/completions\"")
                        || e.getKey().startsWith("slm_http_requests_total{endpoint=\"/v1/chat/completions\""))
                .mapToDouble(e -> e.getValue()).sum();
    }

    private static JsonNode parse(String json) {
        try {
            return TestServer.JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private record Streamed(String route, List<String> data) {
        String text() {
            StringBuilder text = new StringBuilder();
            for (String d : data.subList(0, data.size() - 1)) {
                text.append(parse(d).path("choices").path(0).path("delta").path("content").asText(""));
            }
            return text.toString();
        }
    }

    private static JsonNode usageChunk(Streamed s) {
        return parse(s.data.get(s.data.size() - 2));
    }

    private static Streamed stream(String body) {
        HttpRequest request = HttpRequest.newBuilder(front.base.resolve("/v1/chat/completions")).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<Stream<String>> r = front.http.send(request, HttpResponse.BodyHandlers.ofLines());
            List<String> data = r.body().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
            assertEquals(200, r.statusCode(), data.toString());
            return new Streamed(r.headers().firstValue("x-slm-route").orElse(null), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An OpenAI-compatible upstream that records each body it gets and answers with the first placeholder it saw. */
    private static HttpServer recordingUpstream() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", exchange -> {
            String received = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            recorded.add(received);
            ObjectNode answer = TestServer.JSON.createObjectNode().put("id", "rec-1").put("object", "chat.completion")
                    .put("created", 0).put("model", "big");
            ObjectNode choice = answer.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", "I will write to [EMAIL_1]");
            answer.putObject("usage").put("prompt_tokens", 9).put("completion_tokens", 6).put("total_tokens", 15);
            byte[] bytes = TestServer.JSON.writeValueAsBytes(answer);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }
}
