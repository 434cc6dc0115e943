package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.FixtureVariants;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Ollama's API beside OpenAI's, over the same models (the fixture model), raw HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OllamaApiTest {
    private Path agent;
    private Path gemma;
    private TestServer t;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        agent = Files.createTempFile("agent", ".gguf");
        Files.write(agent, FixtureVariants.withToolCallingTemplate());
        gemma = Files.createTempFile("gemma", ".gguf");
        Files.write(gemma, FixtureVariants.withTemplateFile("google-gemma-2-2b-it.jinja"));
        t = TestServer.start("""
                max_tokens = 200
                [model.stories]
                path = ${MODEL}
                [model.stories-embed]
                path = ${MODEL}
                embeddings = true
                [model.agent]
                path = %s
                context = 2048
                [model.sized]
                path = ${MODEL}
                context = 256
                [model.kept]
                path = %s
                [model.warm]
                path = ${MODEL}
                """.formatted(agent, gemma));
    }

    @AfterAll
    void stop() throws Exception {
        if (t != null) {
            t.close();
        }
        if (agent != null) {
            Files.deleteIfExists(agent);
        }
        if (gemma != null) {
            Files.deleteIfExists(gemma);
        }
    }

    private static List<JsonNode> lines(HttpResponse<String> r) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (!line.isBlank()) {
                out.add(TestServer.JSON.readTree(line));
            }
        }
        return out;
    }

    @Test
    void generateStreamsNdjsonByDefaultAndAnswersWholeWhenAsked() throws Exception {
        String body = "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"raw\":true,\"options\":{\"temperature\":0,\"num_predict\":8}}";
        HttpResponse<String> streamed = t.post("/api/generate", body);
        assertEquals(200, streamed.statusCode(), streamed.body());
        assertTrue(streamed.headers().firstValue("Content-Type").orElse("").contains("ndjson"));
        List<JsonNode> lines = lines(streamed);
        StringBuilder text = new StringBuilder();
        lines.forEach(l -> text.append(l.path("response").asText()));
        JsonNode last = lines.getLast();
        assertTrue(last.path("done").asBoolean());
        assertEquals("length", last.path("done_reason").asText());
        assertEquals(8, last.path("eval_count").asInt());
        assertTrue(text.toString().startsWith(FixtureModel.GREEDY_CONTINUATION.substring(0, 10)), text.toString());

        HttpResponse<String> whole = t.post("/api/generate", body.replace("}}", "},\"stream\":false}"));
        assertEquals(200, whole.statusCode(), whole.body());
        JsonNode answer = TestServer.json(whole);
        assertEquals(text.toString(), answer.path("response").asText(), "streamed and whole greedy answers agree");
        assertTrue(answer.path("done").asBoolean());
    }

    @Test
    void chatWithFormatAndOptions() throws Exception {
        HttpResponse<String> r = t.post("/api/chat", """
                {"model":"stories","stream":false,"format":{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]},
                 "options":{"temperature":0,"num_predict":40,"top_k":20,"seed":7,"num_ctx":4096},
                 "messages":[{"role":"user","content":"Say ok"}]}""");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode message = TestServer.json(r).path("message");
        assertEquals("assistant", message.path("role").asText());
        assertTrue(TestServer.JSON.readTree(message.path("content").asText()).path("ok").isBoolean(), r.body());
    }

    @Test
    void chatWithToolsReturnsOllamaToolCalls() throws Exception {
        for (String model : new String[] {"agent", "kept"}) { // Qwen's tool format; Gemma's template, which has none
            chatWithToolsReturnsOllamaToolCalls(model);
        }
    }

    private void chatWithToolsReturnsOllamaToolCalls(String model) throws Exception {
        HttpResponse<String> r = t.post("/api/chat", """
                {"model":"%s","stream":false,"options":{"temperature":0},
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
                   "properties":{"city":{"type":"string","enum":["Paris","London"]}},"required":["city"]}}}],
                 "tool_choice":"required","parallel_tool_calls":false,
                 "messages":[{"role":"user","content":"Weather in Paris?"}]}""".formatted(model));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode call = TestServer.json(r).at("/message/tool_calls/0/function");
        assertEquals("get_weather", call.path("name").asText(), r.body());
        assertTrue(call.path("arguments").path("city").isTextual(), "arguments are an object: " + r.body());
    }

    @Test
    void embedTagsShowPsAndVersion() throws Exception {
        JsonNode embed = TestServer.json(t.post("/api/embed", "{\"model\":\"stories-embed\",\"input\":[\"a\",\"b\"]}"));
        assertEquals(2, embed.path("embeddings").size(), embed.toString());
        assertEquals(64, embed.at("/embeddings/0").size());
        JsonNode legacy = TestServer.json(t.post("/api/embeddings", "{\"model\":\"stories-embed\",\"prompt\":\"a\"}"));
        assertEquals(64, legacy.path("embedding").size());

        JsonNode tags = TestServer.json(t.get("/api/tags"));
        assertEquals(6, tags.path("models").size());
        assertEquals("llama", tags.at("/models/0/details/family").asText(), tags.toString());
        assertTrue(tags.at("/models/0/size").asLong() > 0);

        HttpResponse<String> show = t.post("/api/show", "{\"model\":\"agent\"}");
        assertEquals(200, show.statusCode(), show.body());
        assertTrue(TestServer.json(show).path("capabilities").toString().contains("tools"), show.body());
        // Gemma's template has no tool format: slm's generic JSON calls stand in for one.
        assertTrue(TestServer.json(t.post("/api/show", "{\"model\":\"kept\"}")).path("capabilities").toString().contains("tools"));
        assertFalse(TestServer.json(t.post("/api/show", "{\"model\":\"stories\"}")).path("capabilities").toString().contains("tools"),
                "no chat template, no chat");

        JsonNode ps = TestServer.json(t.get("/api/ps"));
        assertTrue(ps.path("models").size() >= 1, ps.toString());
        assertFalse(TestServer.json(t.get("/api/version")).path("version").asText().isEmpty());
    }

    @Test
    void errorsAreOllamasShapeAndNameTheField() throws Exception {
        HttpResponse<String> missing = t.post("/api/chat", "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(404, missing.statusCode());
        assertTrue(TestServer.json(missing).path("error").isTextual(), missing.body());
        HttpResponse<String> option = t.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"options\":{\"mirostat_eta\":1}}");
        assertEquals(400, option.statusCode());
        assertTrue(TestServer.json(option).path("error").asText().contains("options.mirostat_eta"), option.body());
    }

    @Test
    void keepAliveZeroUnloadsTheModelOnceAnswered() throws Exception {
        HttpResponse<String> r = t.post("/api/generate",
                "{\"model\":\"stories\",\"prompt\":\"Once\",\"raw\":true,\"stream\":false,\"keep_alive\":0,\"options\":{\"num_predict\":2}}");
        assertEquals(200, r.statusCode(), r.body());
        // The answer is sent first, then the model unloaded.
        dev.slm.fixtures.Wait.until("model 'stories' to leave /api/ps", java.time.Duration.ofSeconds(10), () -> {
            for (JsonNode m : TestServer.json(t.get("/api/ps")).path("models")) {
                if (m.path("name").asText().equals("stories")) {
                    return false;
                }
            }
            return true;
        });
    }

    private JsonNode ps(String model) {
        for (JsonNode m : TestServer.json(t.get("/api/ps")).path("models")) {
            if (m.path("name").asText().equals(model)) {
                return m;
            }
        }
        return null;
    }

    private void generate(String model, String extra) {
        HttpResponse<String> r = t.post("/api/generate", "{\"model\":\"" + model
                + "\",\"prompt\":\"Once\",\"raw\":true,\"stream\":false,\"options\":{\"num_predict\":2" + extra);
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void numCtxReloadsTheModelWithALargerContextUntilItIsUnloaded() throws Exception {
        long trained = dev.slm.gguf.GgufReader.read(FixtureModel.path()).contextLength().orElseThrow();
        assumeTrue(trained >= 512, "the fixture was trained for " + trained + " tokens");
        generate("sized", "}}");
        assertEquals(256, ps("sized").path("context_length").asInt(), "as configured");
        generate("sized", ",\"num_ctx\":512}}");
        assertEquals(512, ps("sized").path("context_length").asInt(), "reloaded with num_ctx");
        generate("sized", ",\"num_ctx\":300}}");
        assertEquals(512, ps("sized").path("context_length").asInt(), "a smaller num_ctx is answered within the larger context");
        generate("sized", ",\"num_ctx\":1000000}}");
        assertEquals(trained, ps("sized").path("context_length").asInt(), "at most what the model was trained for, as Ollama");
        HttpResponse<String> bad = t.post("/api/chat", "{\"model\":\"sized\",\"options\":{\"num_ctx\":\"big\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(TestServer.json(bad).path("error").asText().contains("options.num_ctx"), bad.body());

        // Unloaded (keep_alive 0), the model comes back as configured.
        HttpResponse<String> unload = t.post("/api/generate", "{\"model\":\"sized\",\"keep_alive\":0}");
        assertEquals("unload", TestServer.json(unload).path("done_reason").asText(), unload.body());
        dev.slm.fixtures.Wait.until("model 'sized' to unload", java.time.Duration.ofSeconds(10), () -> ps("sized") == null);
        generate("sized", "}}");
        assertEquals(256, ps("sized").path("context_length").asInt());
    }

    @Test
    void aGenerateWithoutPromptLoadsTheModel() {
        assertEquals(null, ps("warm"), "not loaded before");
        HttpResponse<String> load = t.post("/api/generate", "{\"model\":\"warm\"}");
        assertEquals(200, load.statusCode(), load.body());
        assertEquals("load", TestServer.json(load).path("done_reason").asText(), load.body());
        assertTrue(ps("warm") != null, "Ollama's way to load a model: it is in memory when the answer comes");
    }

    /** The official client's `generate` then `ps` once saw the old keep_alive: it was set after the answer went out. */
    @Test
    void keepAliveIsInEffectWhenTheAnswerArrives() {
        for (int i = 0; i < 100; i++) {
            boolean forGood = i % 2 == 0;
            generate("kept", forGood ? "},\"keep_alive\":-1}" : "},\"keep_alive\":\"1h\"}");
            String expires = ps("kept").path("expires_at").asText();
            assertEquals(forGood, expires.equals("0001-01-01T00:00:00Z"), "request " + i + ": expires_at " + expires);
        }
    }

    @Test
    void keepAliveOfARequestSetsHowLongTheModelStaysLoaded() throws Exception {
        generate("kept", "},\"keep_alive\":-1}");
        assertEquals("0001-01-01T00:00:00Z", ps("kept").path("expires_at").asText(), "negative: for good");
        generate("kept", "},\"keep_alive\":\"1h30m\"}");
        java.time.Instant expires = java.time.Instant.parse(ps("kept").path("expires_at").asText());
        java.time.Duration left = java.time.Duration.between(java.time.Instant.now(), expires);
        assertTrue(left.toMinutes() >= 85 && left.toMinutes() <= 90, "expires in " + left);
        generate("kept", "},\"keep_alive\":\"1s\"}");
        dev.slm.fixtures.Wait.until("model 'kept' to unload a second after its request", java.time.Duration.ofSeconds(10),
                () -> ps("kept") == null);
        generate("kept", "},\"keep_alive\":2}"); // seconds, as a number
        assertTrue(ps("kept") != null);
        dev.slm.fixtures.Wait.until("model 'kept' to unload two seconds after its request", java.time.Duration.ofSeconds(10),
                () -> ps("kept") == null);

        HttpResponse<String> bad = t.post("/api/generate", "{\"model\":\"kept\",\"prompt\":\"x\",\"keep_alive\":\"soon\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(TestServer.json(bad).path("error").asText().contains("keep_alive"), bad.body());
    }
}
