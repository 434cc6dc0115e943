package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.slm.bench.SyntheticProjector;
import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.TestImages;
import dev.slm.gguf.GgufReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Requests with images under hybrid routing: routed like any other by their text, kept local by a
 * route with {@code images = local}, and refused (400) where a redacting route would send them
 * upstream, since redaction cannot redact an image. A recording upstream shows what left the machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageRoutingTest {
    private Path dir;
    private TestServer front;
    private HttpServer upstream;
    private final List<String> recorded = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() throws Exception {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        dir = Files.createTempDirectory("image-routing");
        Path projector = dir.resolve("mmproj.gguf");
        SyntheticProjector.write(projector, Math.toIntExact(GgufReader.read(FixtureModel.path()).embeddingLength().orElseThrow()), 9);
        upstream = recordingUpstream();
        Path routing = dir.resolve("routing.properties");
        Files.writeString(routing, """
                upstream.cloud.url=http://127.0.0.1:%d/v1
                upstream.cloud.model=big-vision

                route.auto.models=auto
                route.auto.local=seer
                route.auto.upstream=cloud
                route.auto.escalate.regex=(?i)escalate

                route.private.models=private
                route.private.local=seer
                route.private.upstream=cloud
                route.private.escalate.regex=(?i)escalate
                route.private.images=local

                route.redacted.models=redacted
                route.redacted.local=seer
                route.redacted.upstream=cloud
                route.redacted.escalate.regex=(?i)escalate
                route.redacted.redact=email
                """.formatted(upstream.getAddress().getPort()));
        front = TestServer.start("routing = " + routing + "\n[model.seer]\npath = " + FixtureModel.path()
                + "\nprojector = " + projector + "\ncontext = 512\n");
    }

    @AfterAll
    void stop() {
        if (front != null) {
            front.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    private static String body(String model, String text) {
        String url = "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(TestImages.png(32));
        return """
                {"model":"%s","max_tokens":3,"temperature":0,"messages":[{"role":"user","content":[
                  {"type":"image_url","image_url":{"url":"%s"}},{"type":"text","text":"%s"}]}]}"""
                .formatted(model, url, text);
    }

    @Test
    void anImageRequestFollowsItsRouteByItsText() {
        int before = recorded.size();
        HttpResponse<String> local = front.post("/v1/chat/completions", body("auto", "What is it?"));
        assertEquals(200, local.statusCode(), local.body());
        assertEquals("local", local.headers().firstValue("x-slm-route").orElse(""));
        assertTrue(TestServer.json(local).at("/usage/prompt_tokens").asInt() > SyntheticProjector.TOKENS_PER_IMAGE, local.body());

        HttpResponse<String> escalated = front.post("/v1/chat/completions", body("auto", "Please escalate this."));
        assertEquals(200, escalated.statusCode(), escalated.body());
        assertEquals("upstream:cloud", escalated.headers().firstValue("x-slm-route").orElse(""));
        assertEquals(before + 1, recorded.size());
        JsonNode sent = TestServer.JSON.valueToTree(parse(recorded.getLast()));
        assertEquals("big-vision", sent.path("model").asText());
        assertTrue(sent.at("/messages/0/content/0/image_url/url").asText().startsWith("data:image/png;base64,"), sent.toString());
    }

    @Test
    void aRouteCanKeepImagesLocal() {
        int before = recorded.size();
        HttpResponse<String> r = front.post("/v1/chat/completions", body("private", "Please escalate this."));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("local", r.headers().firstValue("x-slm-route").orElse(""));
        assertEquals(before, recorded.size(), "nothing left the machine");
    }

    @Test
    void redactionSaysItCannotRedactImages() {
        int before = recorded.size();
        HttpResponse<String> r = front.post("/v1/chat/completions", body("redacted", "Please escalate this."));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(TestServer.json(r).at("/error/message").asText().contains("cannot redact images"), r.body());
        assertEquals(before, recorded.size(), "nothing left the machine");
        // Without a reason to escalate, the same route answers the image here.
        assertEquals(200, front.post("/v1/chat/completions", body("redacted", "What is it?")).statusCode());
    }

    private static JsonNode parse(String text) {
        try {
            return TestServer.JSON.readTree(text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private HttpServer recordingUpstream() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", exchange -> {
            recorded.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ObjectNode answer = TestServer.JSON.createObjectNode().put("id", "rec-1").put("object", "chat.completion")
                    .put("created", 0).put("model", "big-vision");
            ObjectNode choice = answer.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", "A gradient.");
            answer.putObject("usage").put("prompt_tokens", 300).put("completion_tokens", 3).put("total_tokens", 303);
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
