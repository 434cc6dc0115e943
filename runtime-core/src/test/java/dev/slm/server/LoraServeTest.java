package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.fixtures.FixtureModel;
import dev.slm.gguf.GgufReader;
import dev.slm.gguf.SyntheticLora;
import dev.slm.server.config.ConfigException;
import dev.slm.store.Manifest;
import dev.slm.store.ModelStore;
import dev.slm.variant.Slmfile;
import dev.slm.variant.VariantCreator;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * LoRA adapters in {@code slm serve}: per model in the config ({@code lora = FILE:SCALE}) or from a
 * variant ({@code model = NAME} of `slm create`), chosen per request with llama.cpp's {@code lora}
 * field, without loading the model again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoraServeTest {
    private Path dir;
    private Path adapter;
    private TestServer t;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        dir = Files.createTempDirectory("lora-serve");
        adapter = dir.resolve("story-lora.gguf");
        SyntheticLora.write(GgufReader.read(FixtureModel.path()), List.of("output.weight", "blk.0.attn_q.weight"), 4, 4f, adapter, 7);
        Path models = dir.resolve("models");
        Slmfile slmfile = new Slmfile(FixtureModel.path().toString(), Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(), List.of(new Slmfile.Adapter(adapter.toString(), 1f)));
        new VariantCreator(ModelStore.at(models)).create("storyteller", slmfile, dir, name -> {
            throw new AssertionError("FROM is a file");
        });
        Slmfile brief = new Slmfile(FixtureModel.path().toString(), Optional.of("You are a storyteller for small children."),
                Optional.empty(), Optional.empty(), List.of(new Slmfile.Parameter("num_predict", "5"),
                new Slmfile.Parameter("temperature", "0")), List.of());
        new VariantCreator(ModelStore.at(models)).create("brief", brief, dir, name -> {
            throw new AssertionError("FROM is a file");
        });
        t = TestServer.start("""
                models_dir = %s
                [model.story]
                path = %s
                lora = %s:0
                context = 256
                [model.teller]
                model = storyteller
                context = 256
                [model.brief]
                model = brief
                context = 256
                """.formatted(models, FixtureModel.path(), adapter));
    }

    @AfterAll
    void stop() {
        if (t != null) {
            t.close();
        }
    }

    private HttpResponse<String> chat(String model, String lora) {
        return t.post("/v1/chat/completions", """
                {"model":"%s","temperature":0,"max_tokens":20,%s"messages":[{"role":"user","content":"Once upon a time"}]}"""
                .formatted(model, lora == null ? "" : "\"lora\":" + lora + ","));
    }

    private String answer(String model, String lora) {
        HttpResponse<String> r = chat(model, lora);
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.json(r).path("choices").path(0).path("message").path("content").asText();
    }

    @Test
    void aRequestTurnsTheAdapterOnAndOffWithoutLoadingTheModelAgain() {
        String base = answer("story", "[]");
        String adapted = answer("story", "[{\"id\":0,\"scale\":1.0}]");
        assertNotEquals(base, adapted, "scale 1 for this request changed nothing");
        assertEquals(base, answer("story", "[{\"id\":0,\"scale\":0}]"));
        assertEquals(base, answer("story", null), "without 'lora' the config's scale (0) applies");
        assertEquals(adapted, answer("story", "[{\"id\":0,\"scale\":1}]"));
        assertEquals(1.0, t.metric("slm_runner_starts_total{model=\"story\"}"), "one load for every request");

        // The variant's adapter is on by default (its scale 1) and can be turned off per request.
        assertEquals(adapted, answer("teller", null));
        assertEquals(base, answer("teller", "[{\"id\":0,\"scale\":0}]"));
    }

    @Test
    void aServedVariantFillsWhatTheRequestLeavesOut() {
        String message = "{\"role\":\"user\",\"content\":\"Once upon a time\"}";
        HttpResponse<String> plain = t.post("/v1/chat/completions",
                "{\"model\":\"story\",\"max_tokens\":5,\"temperature\":0,\"messages\":[" + message + "]}");
        HttpResponse<String> variant = t.post("/v1/chat/completions", "{\"model\":\"brief\",\"messages\":[" + message + "]}");
        assertEquals(200, variant.statusCode(), variant.body());
        var usage = TestServer.json(variant).path("usage");
        assertEquals(5, usage.path("completion_tokens").asInt(), "PARAMETER num_predict 5: " + variant.body());
        assertTrue(usage.path("prompt_tokens").asInt() > TestServer.json(plain).path("usage").path("prompt_tokens").asInt() + 5,
                "the SYSTEM prompt was added: " + variant.body());
        HttpResponse<String> own = t.post("/v1/chat/completions",
                "{\"model\":\"brief\",\"max_tokens\":2,\"messages\":[" + message + "]}");
        assertEquals(2, TestServer.json(own).path("usage").path("completion_tokens").asInt(), "the request's max_tokens wins");
    }

    private String text(String lora) {
        HttpResponse<String> r = t.post("/v1/completions", "{\"model\":\"story\",\"prompt\":\"Once upon a time\","
                + "\"temperature\":0,\"max_tokens\":20" + (lora == null ? "" : ",\"lora\":" + lora) + "}");
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.json(r).path("choices").path(0).path("text").asText();
    }

    @Test
    void textCompletionsTakeTheLoraFieldToo() {
        String base = text("[]");
        assertNotEquals(base, text("[{\"id\":0,\"scale\":1}]"));
        assertEquals(base, text("[{\"id\":0,\"scale\":0}]"));
        assertEquals(base, text(null));
    }

    @Test
    void aWrongLoraFieldIsA400() {
        HttpResponse<String> r = chat("story", "[{\"id\":3,\"scale\":1}]");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("has 1 LoRA adapter (id 0), not id 3"), r.body());
        r = chat("story", "\"all\"");
        assertEquals(400, r.statusCode(), r.body());
        r = chat("story", "[{\"id\":0}]");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("lora[0]"), r.body());
        r = t.post("/v1/completions", "{\"model\":\"story\",\"prompt\":\"Once\",\"lora\":[{\"id\":1,\"scale\":1}]}");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("not id 1"), r.body());
    }

    @Test
    void anAdapterForAnotherModelIsAConfigError() throws Exception {
        Path notAdapter = FixtureModel.path();
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> TestServer.start("""
                [model.bad]
                path = %s
                lora = %s
                """.formatted(FixtureModel.path(), notAdapter)));
        assertTrue(e.getMessage().contains("is not a LoRA adapter"), e.getMessage());
    }
}
