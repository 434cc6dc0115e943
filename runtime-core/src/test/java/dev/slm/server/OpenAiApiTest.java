package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slm.fixtures.FixtureModel;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The OpenAI-compatible endpoints against a real server and real runners, with raw HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiApiTest {
    /** "Once upon a time": BOS and four SentencePiece tokens. */
    private static final int PROMPT_TOKENS = 5;

    private TestServer t;

    @BeforeAll
    void start() {
        t = TestServer.start("""
                max_tokens = 1000
                max_body = 64KiB
                [model.stories]
                path = ${MODEL}
                parallel = 2
                [model.stories-embed]
                path = ${MODEL}
                embeddings = true
                """);
    }

    @AfterAll
    void stop() {
        try {
            assertEquals(0, t.metric("slm_runner_crashes_total{model=\"stories\"}"), "no request, good or bad, crashed a runner");
        } finally {
            t.close();
        }
    }

    @Test
    void listsTheConfiguredModels() {
        JsonNode list = TestServer.json(t.get("/v1/models"));
        assertEquals("list", list.get("object").asText());
        List<String> ids = new ArrayList<>();
        list.get("data").forEach(m -> {
            ids.add(m.get("id").asText());
            assertEquals("model", m.get("object").asText());
            assertTrue(m.get("created").isNumber());
            assertEquals("slm", m.get("owned_by").asText());
        });
        assertEquals(List.of("stories", "stories-embed"), ids);
        assertEquals("stories", TestServer.json(t.get("/v1/models/stories")).get("id").asText());
        HttpResponse<String> missing = t.get("/v1/models/nope");
        assertEquals(404, missing.statusCode());
        assertEquals("model_not_found", TestServer.json(missing).at("/error/code").asText());
    }

    @Test
    void textCompletionContinuesThePromptGreedily() {
        HttpResponse<String> r = t.post("/v1/completions", TestServer.completionBody("stories", 16, false));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        JsonNode body = TestServer.json(r);
        assertTrue(body.get("id").asText().startsWith("cmpl-"));
        assertEquals("text_completion", body.get("object").asText());
        assertEquals("stories", body.get("model").asText());
        assertTrue(body.get("created").isIntegralNumber());
        JsonNode choice = body.get("choices").get(0);
        assertEquals(0, choice.get("index").asInt());
        assertTrue(choice.get("text").asText().startsWith(FixtureModel.GREEDY_CONTINUATION), choice.get("text").asText());
        assertEquals("length", choice.get("finish_reason").asText());
        assertUsage(body.get("usage"), PROMPT_TOKENS, 16);
    }

    @Test
    void chatCompletionMatchesTheSchema() {
        HttpResponse<String> r = t.post("/v1/chat/completions", chat(8, false, ""));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = TestServer.json(r);
        assertTrue(body.get("id").asText().startsWith("chatcmpl-"));
        assertEquals("chat.completion", body.get("object").asText());
        assertEquals("stories", body.get("model").asText());
        JsonNode choice = body.get("choices").get(0);
        assertEquals(0, choice.get("index").asInt());
        assertEquals("assistant", choice.at("/message/role").asText());
        assertTrue(choice.at("/message/content").isTextual());
        assertFalse(choice.at("/message/content").asText().isEmpty());
        assertEquals("length", choice.get("finish_reason").asText());
        JsonNode usage = body.get("usage");
        assertTrue(usage.get("prompt_tokens").asInt() > PROMPT_TOKENS, "the chat template adds tokens: " + usage);
        assertUsage(usage, usage.get("prompt_tokens").asInt(), 8);
    }

    @Test
    void streamedChatIsTheSameAnswerInChunksThenUsageThenDone() throws Exception {
        String whole = TestServer.json(t.post("/v1/chat/completions", chat(24, false, ""))).at("/choices/0/message/content").asText();
        List<String> events = t.stream("/v1/chat/completions", chat(24, true, ",\"stream_options\":{\"include_usage\":true}"));
        assertEquals("[DONE]", events.getLast());
        List<JsonNode> chunks = new ArrayList<>();
        for (String e : events.subList(0, events.size() - 1)) {
            chunks.add(TestServer.JSON.readTree(e));
        }
        JsonNode opening = chunks.getFirst();
        assertEquals("chat.completion.chunk", opening.get("object").asText());
        assertEquals("assistant", opening.at("/choices/0/delta/role").asText());
        JsonNode usageChunk = chunks.getLast();
        assertEquals(0, usageChunk.get("choices").size(), "the usage chunk has no choices");
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertEquals("length", finish.at("/choices/0/finish_reason").asText());
        StringBuilder text = new StringBuilder();
        int contentChunks = 0;
        String id = opening.get("id").asText();
        for (JsonNode c : chunks.subList(1, chunks.size() - 2)) {
            assertEquals(id, c.get("id").asText(), "every chunk carries the completion's id");
            assertTrue(c.get("usage").isNull(), "chunks before the last carry usage: null");
            assertTrue(c.at("/choices/0/finish_reason").isNull());
            text.append(c.at("/choices/0/delta/content").asText());
            contentChunks++;
        }
        assertEquals(whole, text.toString(), "streaming and not streaming give the same greedy answer");
        assertUsage(usageChunk.get("usage"), usageChunk.at("/usage/prompt_tokens").asInt(), 24);
        assertEquals(24, contentChunks, "one chunk per generated token");
    }

    @Test
    void streamWithoutIncludeUsageHasNoUsage() throws Exception {
        List<String> events = t.stream("/v1/completions", TestServer.completionBody("stories", 5, true));
        assertEquals("[DONE]", events.getLast());
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = TestServer.JSON.readTree(e);
            assertEquals("text_completion", chunk.get("object").asText());
            assertNull(chunk.get("usage"));
        }
    }

    /** Every event leaves the server as its own HTTP chunk, i.e. it is flushed when the token is made, not at the end. */
    @Test
    void everyEventIsFlushedOnItsOwn() throws Exception {
        List<String> chunks = new ArrayList<>();
        try (RawHttpStream s = RawHttpStream.post(t.base, "/v1/completions", TestServer.completionBody("stories", 40, true))) {
            assertEquals(200, s.status);
            assertEquals("chunked", s.headers.get("transfer-encoding"));
            assertTrue(s.headers.get("content-type").startsWith("text/event-stream"));
            String chunk;
            while ((chunk = s.nextChunk()) != null) {
                chunks.add(chunk);
            }
        }
        for (String c : chunks) {
            assertTrue(c.startsWith("data: ") && c.endsWith("\n\n") && c.indexOf("data: ", 1) < 0, "one event per chunk: " + c);
        }
        assertEquals("data: [DONE]\n\n", chunks.getLast());
        assertEquals(40 + 2, chunks.size(), "40 token chunks, the finish chunk and [DONE]");
    }

    @Test
    void stopStringEndsTheAnswerWithoutIt() {
        String body = "{\"model\":\"stories\",\"prompt\":\"" + FixtureModel.PROMPT + "\",\"max_tokens\":40,\"temperature\":0,\"stop\":[\"Lily\"]}";
        JsonNode r = TestServer.json(t.post("/v1/completions", body));
        assertEquals(", there was a little girl named ", r.at("/choices/0/text").asText());
        assertEquals("stop", r.at("/choices/0/finish_reason").asText());
    }

    @Test
    void jsonSchemaResponseFormatGivesMatchingJson() throws Exception {
        String body = chat(40, false, """
                ,"response_format":{"type":"json_schema","json_schema":{"name":"answer","strict":true,"schema":
                {"type":"object","properties":{"happy":{"type":"boolean"}},"required":["happy"],"additionalProperties":false}}}""");
        HttpResponse<String> r = t.post("/v1/chat/completions", body);
        assertEquals(200, r.statusCode(), r.body());
        String content = TestServer.json(r).at("/choices/0/message/content").asText();
        JsonNode answer = TestServer.JSON.readTree(content);
        assertTrue(answer.get("happy").isBoolean(), content);
        assertEquals(1, answer.size(), content);
    }

    @Test
    void jsonObjectResponseFormatGivesJson() throws Exception {
        HttpResponse<String> r = t.post("/v1/chat/completions", chat(60, false, ",\"response_format\":{\"type\":\"json_object\"}"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = TestServer.json(r);
        String content = body.at("/choices/0/message/content").asText();
        assertTrue(content.startsWith("{"), content);
        if (body.at("/choices/0/finish_reason").asText().equals("stop")) {
            assertTrue(TestServer.JSON.readTree(content).isObject(), content);
        }
    }

    @Test
    void embeddingsAsFloatsAndAsBase64() {
        JsonNode floats = TestServer.json(t.post("/v1/embeddings",
                "{\"model\":\"stories-embed\",\"input\":[\"Once upon a time\",\"a little dog\"]}"));
        assertEquals("list", floats.get("object").asText());
        assertEquals(2, floats.get("data").size());
        JsonNode first = floats.at("/data/0");
        assertEquals("embedding", first.get("object").asText());
        assertEquals(0, first.get("index").asInt());
        assertEquals(64, first.get("embedding").size(), "the fixture model's embedding length");
        int second = TestServer.json(t.post("/v1/embeddings", "{\"model\":\"stories-embed\",\"input\":\"a little dog\"}"))
                .at("/usage/prompt_tokens").asInt();
        assertEquals(PROMPT_TOKENS + second, floats.at("/usage/prompt_tokens").asInt(), "usage counts every input's tokens");
        assertEquals(floats.at("/usage/prompt_tokens"), floats.at("/usage/total_tokens"));

        JsonNode b64 = TestServer.json(t.post("/v1/embeddings",
                "{\"model\":\"stories-embed\",\"input\":\"Once upon a time\",\"encoding_format\":\"base64\"}"));
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(b64.at("/data/0/embedding").asText())).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(64 * 4, bytes.remaining());
        for (int i = 0; i < 64; i++) {
            assertEquals(first.get("embedding").get(i).floatValue(), bytes.getFloat(), 1e-6, "component " + i);
        }
    }

    @Test
    void embeddingsNeedAModelSetUpForThem() {
        HttpResponse<String> r = t.post("/v1/embeddings", "{\"model\":\"stories\",\"input\":\"hi\"}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("embeddings = true"), r.body());
    }

    @Test
    void promptLongerThanTheContextIsRejected() {
        String prompt = "Once upon a time ".repeat(700);
        HttpResponse<String> r = t.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"" + prompt + "\",\"max_tokens\":5}");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(TestServer.json(r).at("/error/message").asText().contains("context"), r.body());
        assertEquals("context_length_exceeded", TestServer.json(r).at("/error/code").asText(), "OpenAI's code for it");
    }

    @Test
    void routesWithoutV1AndModelsWithMeta() {
        HttpResponse<String> chat = t.post("/chat/completions", chat(3, false, ""));
        assertEquals(200, chat.statusCode(), chat.body());
        assertEquals("chat.completion", TestServer.json(chat).path("object").asText());
        assertEquals(200, t.post("/completions", TestServer.completionBody("stories", 2, false)).statusCode());
        JsonNode one = TestServer.json(t.get("/models/stories"));
        assertEquals("stories", one.path("id").asText(), one.toString());
        JsonNode meta = TestServer.json(t.get("/v1/models")).at("/data/0/meta");
        assertEquals("llama", meta.path("architecture").asText(), meta.toString());
        assertTrue(meta.path("n_params").asLong() > 0, meta.toString());
        assertEquals(404, t.get("/nothing").statusCode());
    }

    @Test
    void healthReadyAndMetrics() {
        assertEquals("ok", TestServer.json(t.get("/health")).get("status").asText());
        HttpResponse<String> ready = t.get("/ready");
        assertEquals(200, ready.statusCode());
        assertEquals("ready", TestServer.json(ready).get("status").asText());
        t.post("/v1/completions", TestServer.completionBody("stories", 3, false));
        String metrics = t.get("/metrics").body();
        for (String family : List.of("slm_http_requests_total", "slm_errors_total", "slm_prompt_tokens_total",
                "slm_completion_tokens_total", "slm_time_to_first_token_seconds", "slm_generation_tokens_per_second",
                "slm_queue_depth", "slm_slots_active", "slm_runner_restarts_total", "slm_runner_resident_memory_bytes",
                "slm_memory_budget_bytes", "process_resident_memory_bytes")) {
            assertTrue(metrics.contains("# TYPE " + family + " "), "missing " + family);
        }
        assertTrue(t.metric("slm_completion_tokens_total{model=\"stories\"}") >= 3);
        assertEquals(2, t.metric("slm_slots{model=\"stories\"}"));
    }

    @Test
    void noCorsHeadersUnlessConfigured() {
        HttpResponse<String> r = t.get("/v1/models", "Origin", "https://example.com");
        assertTrue(r.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    }

    static Stream<Arguments> badRequests() {
        String chat = "/v1/chat/completions";
        String text = "/v1/completions";
        String embed = "/v1/embeddings";
        String user = "[{\"role\":\"user\",\"content\":\"hi\"}]";
        return Stream.of(
                Arguments.of(chat, "{", 400, null),
                Arguments.of(chat, "[]", 400, null),
                Arguments.of(chat, "", 400, null),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + "} trailing", 400, null),
                Arguments.of(chat, "{\"messages\":" + user + "}", 400, "model"),
                Arguments.of(chat, "{\"model\":5,\"messages\":" + user + "}", 400, "model"),
                Arguments.of(chat, "{\"model\":\"nope\",\"messages\":" + user + "}", 404, "model"),
                Arguments.of(chat, "{\"model\":\"stories\"}", 400, "messages"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":[]}", 400, "messages"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":\"hi\"}", 400, "messages"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":[1]}", 400, "messages[0]"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", 400, "messages[0].role"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":5}]}", 400, "messages[0].content"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\"}]}", 400, "messages[0].content"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}", 400, "messages"), // a text model cannot see images
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":[{\"role\":\"system\",\"content\":\"b\"}]}", 400, "messages"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"max_tokens\":-1}", 400, "max_tokens"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"max_tokens\":0}", 400, "max_tokens"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"max_tokens\":1e20}", 400, "max_tokens"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"max_tokens\":99999999999999999999999}", 400, "max_tokens"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"max_tokens\":\"10\"}", 400, "max_tokens"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"max_tokens\":1.5}", 400, "max_tokens"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"max_tokens\":1001}", 400, "max_tokens"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"max_completion_tokens\":-5}", 400, "max_completion_tokens"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"temperature\":-1}", 400, "temperature"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"temperature\":1e308}", 400, "temperature"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"temperature\":\"hot\"}", 400, "temperature"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"top_p\":2}", 400, "top_p"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"top_k\":-3}", 400, "top_k"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"n\":2}", 400, "n"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"stream\":\"yes\"}", 400, "stream"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"stop\":5}", 400, "stop"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"stop\":[\"\"]}", 400, "stop[0]"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"seed\":-5}", 400, "seed"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"response_format\":\"json\"}", 400, "response_format"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"response_format\":{\"type\":\"xml\"}}", 400, "response_format.type"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}}}", 400, "response_format.json_schema.schema"),
                schema(chat, user, "{\"type\":\"strange\"}"),
                schema(chat, user, "{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#/definitions/missing\"}}}"),
                schema(chat, user, "{\"$ref\":\"https://example.com/schema.json\"}"),
                schema(chat, user, "{\"anyOf\":[]}"),
                schema(chat, user, "{\"type\":\"integer\",\"minimum\":5,\"maximum\":3}"),
                schema(chat, user, "{\"type\":\"string\",\"pattern\":\"[a-z]+\"}"),
                schema(chat, user, "{\"type\":\"object\",\"properties\":{\"a\":5}}"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"tools\":[{\"type\":\"function\"}]}", 400, "tools[0].function"),
                Arguments.of(chat, "{\"model\":\"stories\",\"messages\":" + user + ",\"stream_options\":[]}", 400, "stream_options"),
                Arguments.of(text, "{\"model\":\"stories\"}", 400, "prompt"),
                Arguments.of(text, "{\"model\":\"stories\",\"prompt\":5}", 400, "prompt"),
                Arguments.of(text, "{\"model\":\"stories\",\"prompt\":[1,2,3]}", 400, "prompt"),
                Arguments.of(text, "{\"model\":\"stories\",\"prompt\":[\"a\",\"b\"]}", 400, "prompt"),
                Arguments.of(text, "{\"model\":\"stories\",\"prompt\":\"  \"}", 400, "prompt"),
                Arguments.of(text, "{\"model\":\"stories\",\"prompt\":\"a\",\"echo\":true}", 400, "echo"),
                Arguments.of(embed, "{\"model\":\"stories-embed\"}", 400, "input"),
                Arguments.of(embed, "{\"model\":\"stories-embed\",\"input\":[]}", 400, "input"),
                Arguments.of(embed, "{\"model\":\"stories-embed\",\"input\":[1,2]}", 400, "input[0]"),
                Arguments.of(embed, "{\"model\":\"stories-embed\",\"input\":\"\"}", 400, "input"),
                Arguments.of(embed, "{\"model\":\"stories-embed\",\"input\":\"a\",\"encoding_format\":\"hex\"}", 400, "encoding_format"),
                Arguments.of(embed, "{\"model\":\"stories-embed\",\"input\":\"a\",\"dimensions\":8}", 400, "dimensions"),
                Arguments.of(text, "{\"model\":\"stories\",\"prompt\":\"" + "x".repeat(70_000) + "\"}", 413, null));
    }

    /** A response_format whose schema llama.cpp would abort on: refused before a runner sees it. */
    private static Arguments schema(String path, String messages, String schema) {
        return Arguments.of(path, "{\"model\":\"stories\",\"messages\":" + messages
                + ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":" + schema + "}}}",
                400, "response_format.json_schema.schema");
    }

    @ParameterizedTest(name = "[{index}] {0} {2} {3}")
    @MethodSource("badRequests")
    void badInputGetsAnOpenAiStyle4xx(String path, String body, int status, String param) {
        HttpResponse<String> r = t.post(path, body);
        assertEquals(status, r.statusCode(), r.body());
        assertOpenAiError(r, param);
    }

    @Test
    void aSchemaWithRecursiveRefsIsAccepted() {
        String schema = "{\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"next\":{\"anyOf\":[{\"$ref\":\"#/$defs/node\"},"
                + "{\"type\":\"null\"}]}},\"required\":[\"next\"]}},\"$ref\":\"#/$defs/node\"}";
        HttpResponse<String> r = t.post("/v1/chat/completions", chat(30, false,
                ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"list\",\"schema\":" + schema + "}}"));
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void unknownPathAndWrongMethodAreJsonErrorsToo() {
        HttpResponse<String> notFound = t.get("/v2/anything");
        assertEquals(404, notFound.statusCode());
        assertOpenAiError(notFound, null);
        HttpResponse<String> wrongMethod = t.get("/v1/chat/completions");
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElseThrow());
        assertOpenAiError(wrongMethod, null);
    }

    private static void assertOpenAiError(HttpResponse<String> r, String param) {
        JsonNode error = TestServer.json(r).get("error");
        assertNotNull(error, r.body());
        assertFalse(error.get("message").asText().isBlank());
        assertFalse(error.get("message").asText().contains("\n"), "one line");
        assertFalse(error.get("message").asText().contains("Exception"), "no stack trace or exception names: " + error);
        assertTrue(error.get("type").isTextual());
        assertTrue(error.has("code"));
        assertTrue(error.has("param"));
        if (param != null) {
            assertEquals(param, error.get("param").asText(), r.body());
        }
    }

    private static void assertUsage(JsonNode usage, int prompt, int completion) {
        assertEquals(prompt, usage.get("prompt_tokens").asInt(), usage.toString());
        assertEquals(completion, usage.get("completion_tokens").asInt(), usage.toString());
        assertEquals(prompt + completion, usage.get("total_tokens").asInt(), usage.toString());
    }

    private static String chat(int maxTokens, boolean stream, String extra) {
        return "{\"model\":\"stories\",\"messages\":[{\"role\":\"system\",\"content\":\"You tell stories.\"},"
                + "{\"role\":\"user\",\"content\":\"" + FixtureModel.PROMPT + "\"}],\"max_tokens\":" + maxTokens
                + ",\"temperature\":0,\"stream\":" + stream + extra + "}";
    }
}
