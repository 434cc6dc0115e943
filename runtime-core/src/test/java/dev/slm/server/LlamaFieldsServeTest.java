package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slm.engine.llamacpp.NativeBuild;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * llama.cpp's own request fields are applied, not ignored (they take the request to llama.cpp's
 * handler in the runner), and OpenAI's Responses API is answered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LlamaFieldsServeTest {
    private TestServer t;

    @BeforeAll
    void start() {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        t = TestServer.start("""
                max_tokens = 100
                [model.stories]
                path = ${MODEL}
                aliases = tale, gpt-4o-mini
                """);
    }

    @AfterAll
    void stop() {
        if (t != null) {
            t.close();
        }
    }

    private JsonNode ok(String path, String body) {
        HttpResponse<String> r = t.post(path, body);
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.json(r);
    }

    @Test
    void anAliasNamesTheSameModel() {
        JsonNode chat = ok("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals("chat.completion", chat.path("object").asText());
        String ids = TestServer.json(t.get("/v1/models")).path("data").findValuesAsText("id").toString();
        assertEquals("[stories, tale, gpt-4o-mini]", ids);
    }

    @Test
    void aGrammarIsApplied() {
        JsonNode chat = ok("/v1/chat/completions", """
                {"model":"stories","messages":[{"role":"user","content":"Once upon a time"}],"grammar":"root ::= \\"yes\\""}""");
        assertEquals("yes", chat.at("/choices/0/message/content").asText(), chat.toString());
        assertEquals("stories", chat.path("model").asText());
        JsonNode text = ok("/v1/completions", """
                {"model":"stories","prompt":"Once upon a time","grammar":"root ::= \\"no\\""}""");
        assertEquals("no", text.at("/choices/0/text").asText(), text.toString());
    }

    @Test
    void topLevelJsonSchemaAndNPredictAreApplied() throws Exception {
        JsonNode schema = ok("/v1/chat/completions", """
                {"model":"stories","messages":[{"role":"user","content":"x"}],"max_tokens":60,
                 "json_schema":{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}}""");
        assertTrue(TestServer.JSON.readTree(schema.at("/choices/0/message/content").asText()).path("ok").isBoolean(), schema.toString());
        JsonNode n = ok("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"n_predict\":3,\"temperature\":0}");
        assertEquals(3, n.at("/usage/completion_tokens").asInt(), n.toString());
        HttpResponse<String> over = t.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"a\",\"n_predict\":101}");
        assertEquals(400, over.statusCode(), "n_predict is held to the server's max_tokens");
    }

    @Test
    void logprobsPenaltiesBiasAndMirostatAreApplied() {
        JsonNode lp = ok("/v1/chat/completions", """
                {"model":"stories","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":3,
                 "logprobs":true,"top_logprobs":2}""");
        JsonNode content = lp.at("/choices/0/logprobs/content");
        assertEquals(3, content.size(), lp.toString());
        assertEquals(2, content.at("/0/top_logprobs").size(), lp.toString());
        ok("/v1/chat/completions", """
                {"model":"stories","messages":[{"role":"user","content":"hi"}],"max_tokens":4,
                 "presence_penalty":0.5,"frequency_penalty":0.5,"logit_bias":{"50":-100},"mirostat":2,"typical_p":0.9,"cache_prompt":false}""");
    }

    @Test
    void responsesApiAnswersTextWholeAndStreamed() {
        JsonNode whole = ok("/v1/responses", "{\"model\":\"stories\",\"input\":\"Once upon a time\",\"max_output_tokens\":8,\"temperature\":0}");
        assertEquals("response", whole.path("object").asText(), whole.toString());
        assertEquals("stories", whole.path("model").asText());
        assertTrue(whole.toString().contains("output_text"), whole.toString());
        HttpResponse<String> stream = t.post("/v1/responses",
                "{\"model\":\"stories\",\"input\":\"Once upon a time\",\"max_output_tokens\":8,\"stream\":true}");
        assertEquals(200, stream.statusCode(), stream.body());
        assertTrue(stream.body().contains("event: response.output_text.delta"), stream.body());
        assertTrue(stream.body().contains("event: response.completed"), stream.body());
        HttpResponse<String> over = t.post("/v1/responses", "{\"model\":\"stories\",\"input\":\"a\",\"max_output_tokens\":101}");
        assertEquals(400, over.statusCode());
        assertEquals("max_output_tokens", TestServer.json(over).at("/error/param").asText());
    }
}
