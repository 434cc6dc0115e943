package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slm.bench.SyntheticProjector;
import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.ModelHttpServer;
import dev.slm.fixtures.TestImages;
import dev.slm.gguf.GgufReader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Images through {@code slm serve}: OpenAI {@code image_url} parts, checked and limited by slm,
 * answered by llama.cpp's chat handler in the model's runner with the projector loaded (the fixture
 * model and a random-weight projector of its width).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageServeTest {
    private Path dir;
    private TestServer t;
    private ModelHttpServer images;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        dir = Files.createTempDirectory("vision");
        Path projector = dir.resolve("mmproj.gguf");
        SyntheticProjector.write(projector, Math.toIntExact(GgufReader.read(FixtureModel.path()).embeddingLength().orElseThrow()), 5);
        images = ModelHttpServer.start().serve("/cat.png", TestImages.png(32));
        t = TestServer.start("""
                max_images = 2
                max_image_size = 4KiB
                [model.seer]
                path = %s
                projector = %s
                context = 512
                [model.blind]
                path = %s
                context = 256
                """.formatted(FixtureModel.path(), projector, FixtureModel.path()));
    }

    @AfterAll
    void stop() throws Exception {
        if (t != null) {
            t.close();
        }
        if (images != null) {
            images.close();
        }
    }

    static String dataUrl(byte[] bytes) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes);
    }

    private static String body(String model, String extra, String... urls) {
        StringBuilder parts = new StringBuilder();
        for (String url : urls) {
            parts.append("{\"type\":\"image_url\",\"image_url\":{\"url\":\"").append(url).append("\"}},");
        }
        return """
                {"model":"%s","temperature":0,"max_tokens":4,%s"messages":[{"role":"user","content":[%s{"type":"text","text":"What is it?"}]}]}"""
                .formatted(model, extra, parts);
    }

    private int promptTokens(String body) {
        HttpResponse<String> r = t.post("/v1/chat/completions", body);
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.json(r).at("/usage/prompt_tokens").asInt();
    }

    @Test
    void anImageTakesTheProjectorsPositionsAndTheAnswerStreams() {
        String png = dataUrl(TestImages.png(32));
        int one = promptTokens(body("seer", "", png));
        int two = promptTokens(body("seer", "", png, png));
        assertTrue(two - one >= SyntheticProjector.TOKENS_PER_IMAGE, one + " prompt tokens with one image, " + two + " with two");

        // The slot's cached prompt (two images) and this one (one) part between the two images.
        HttpResponse<String> r = t.post("/v1/chat/completions", body("seer", "\"stream\":true,", png));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"delta\""), r.body());
        assertTrue(r.body().strip().endsWith("data: [DONE]"), r.body());
    }

    @Test
    void badImagesAndTooManyOrTooLargeAreRefusedWithA400NamingThePart() {
        JsonNode notImage = error(body("seer", "", dataUrl("hello".getBytes())));
        assertTrue(notImage.path("message").asText().contains("PNG, JPEG"), notImage.toString());
        assertEquals("messages[0].content[0].image_url", notImage.path("param").asText());

        JsonNode damaged = error(body("seer", "", dataUrl(TestImages.truncatedPng())));
        assertTrue(damaged.path("message").asText().toLowerCase().contains("image"), damaged.toString());

        String png = dataUrl(TestImages.png(32));
        JsonNode many = error(body("seer", "", png, png, png));
        assertTrue(many.path("message").asText().contains("at most 2"), many.toString());

        JsonNode large = error(body("seer", "", dataUrl(TestImages.png(400))));
        assertTrue(large.path("message").asText().contains("max_image_size"), large.toString());

        JsonNode blind = error(body("blind", "", png));
        assertTrue(blind.path("message").asText().contains("cannot see images"), blind.toString());
    }

    @Test
    void imageUrlsAreNotFetchedUnlessTheConfigSaysSo() {
        JsonNode url = error(body("seer", "", images.url("/cat.png").toString()));
        assertTrue(url.path("message").asText().contains("fetch_image_urls"), url.toString());
        assertEquals(0, images.requests("/cat.png").size(), "the server fetched nothing");
        JsonNode file = error(body("seer", "", "file:///etc/passwd"));
        assertTrue(file.path("message").asText().contains("data: URL"), file.toString());
        // An audio part would have llama.cpp fetch its URL: refused, whatever else the request asks.
        JsonNode audio = error("""
                {"model":"seer","max_tokens":2,"tools":[{"type":"function","function":{"name":"f","parameters":{}}}],
                 "messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"%s","format":"wav"}}]}]}"""
                .formatted(images.url("/cat.png")));
        assertEquals("messages[0].content[0].type", audio.path("param").asText(), audio.toString());
        assertEquals(0, images.requests("/cat.png").size(), "the server fetched nothing");
    }

    @Test
    void withFetchingAllowedAnImageUrlIsFetchedBySlmWithinTheLimits() throws Exception {
        images.serve("/big.png", TestImages.png(400)).serve("/fetched.png", TestImages.png(32));
        try (TestServer fetching = TestServer.start("""
                fetch_image_urls = true
                max_image_size = 4KiB
                [model.seer]
                path = %s
                projector = %s
                context = 512
                """.formatted(FixtureModel.path(), dir.resolve("mmproj.gguf")))) {
            HttpResponse<String> r = fetching.post("/v1/chat/completions", body("seer", "", images.url("/fetched.png").toString()));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(1, images.requests("/fetched.png").size());
            HttpResponse<String> big = fetching.post("/v1/chat/completions", body("seer", "", images.url("/big.png").toString()));
            assertEquals(400, big.statusCode(), big.body());
            assertTrue(big.body().contains("max_image_size"), big.body());
            HttpResponse<String> missing = fetching.post("/v1/chat/completions", body("seer", "", images.url("/none.png").toString()));
            assertEquals(400, missing.statusCode(), missing.body());
            assertTrue(missing.body().contains("HTTP 404"), missing.body());
        }
    }

    @Test
    void theMemoryPlanCountsTheProjector() throws Exception {
        var model = new dev.slm.profile.MemoryEstimate(1 << 20, 1 << 20, 1 << 20);
        var text = dev.slm.server.local.LoadedModelMemory.of(model, dev.slm.engine.ModelOptions.defaults());
        var vision = dev.slm.server.local.LoadedModelMemory.of(model,
                dev.slm.engine.ModelOptions.defaults().withProjector(dir.resolve("mmproj.gguf")));
        long projector = Files.size(dir.resolve("mmproj.gguf"));
        assertEquals(0, text.projector());
        assertTrue(vision.projector() >= projector, vision.describe());
        assertEquals(text.total() + vision.projector(), vision.total());
        assertTrue(vision.describe().contains("vision projector"), vision.describe());
    }

    private JsonNode error(String body) {
        HttpResponse<String> r = t.post("/v1/chat/completions", body);
        assertEquals(400, r.statusCode(), r.body());
        return TestServer.json(r).path("error");
    }

    /** Ollama's images: base64 strings beside the text, on /api/chat and /api/generate, checked as image_url parts are. */
    @Test
    void ollamaImagesAreSeenAndCheckedAlike() {
        String png = Base64.getEncoder().encodeToString(TestImages.png(32));
        String chat = """
                {"model":"seer","stream":false,"options":{"temperature":0,"num_predict":4},
                 "messages":[{"role":"user","content":"What is it?"%s}]}""";
        HttpResponse<String> without = t.post("/api/chat", chat.formatted(""));
        assertEquals(200, without.statusCode(), without.body());
        HttpResponse<String> with = t.post("/api/chat", chat.formatted(",\"images\":[\"" + png + "\"]"));
        assertEquals(200, with.statusCode(), with.body());
        int plain = TestServer.json(without).path("prompt_eval_count").asInt();
        int seen = TestServer.json(with).path("prompt_eval_count").asInt();
        assertTrue(seen - plain >= SyntheticProjector.TOKENS_PER_IMAGE, plain + " prompt tokens without the image, " + seen + " with it");

        HttpResponse<String> generate = t.post("/api/generate", """
                {"model":"seer","stream":false,"prompt":"What is it?","images":["%s"],"options":{"num_predict":2}}""".formatted(png));
        assertEquals(200, generate.statusCode(), generate.body());
        assertTrue(TestServer.json(generate).path("prompt_eval_count").asInt() >= SyntheticProjector.TOKENS_PER_IMAGE, generate.body());

        HttpResponse<String> junk = t.post("/api/chat", chat.formatted(",\"images\":[\"" + Base64.getEncoder().encodeToString("not an image".getBytes()) + "\"]"));
        assertEquals(400, junk.statusCode(), junk.body());
        HttpResponse<String> three = t.post("/api/chat", chat.formatted(",\"images\":[\"" + png + "\",\"" + png + "\",\"" + png + "\"]"));
        assertEquals(400, three.statusCode(), three.body());
        HttpResponse<String> blind = t.post("/api/chat", chat.replace("seer", "blind").formatted(",\"images\":[\"" + png + "\"]"));
        assertEquals(400, blind.statusCode(), blind.body());
        assertTrue(blind.body().contains("cannot see images"), blind.body());
    }
}
