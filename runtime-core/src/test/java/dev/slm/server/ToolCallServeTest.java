package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.fixtures.FixtureVariants;
import dev.slm.fixtures.Wait;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Tool calls through {@code slm serve}: the request crosses to the model's runner and is answered by
 * llama.cpp's chat handler there (the fixture model with Qwen 2.5's template), whole or streamed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ToolCallServeTest {
    static final String TOOLS = """
            [{"type":"function","function":{"name":"get_weather","description":"The weather in a city",
              "parameters":{"type":"object","properties":{"city":{"type":"string","enum":["Paris","London"]}},"required":["city"]}}}]""";
    private Path model;
    private TestServer t;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        model = Files.createTempFile("tools", ".gguf");
        Files.write(model, FixtureVariants.withToolCallingTemplate());
        t = TestServer.start("""
                max_tokens = 300
                [model.agent]
                path = %s
                parallel = 1
                context = 2048
                """.formatted(model));
    }

    @AfterAll
    void stop() throws Exception {
        if (t != null) {
            t.close();
        }
        if (model != null) {
            Files.deleteIfExists(model);
        }
    }

    private static String body(String extra) {
        return """
                {"model":"agent","messages":[{"role":"user","content":"What is the weather in Paris?"}],
                 "temperature":0,"tools":%s,%s}""".formatted(TOOLS, extra);
    }

    @Test
    void aRequiredCallComesBackWholeWithArgumentsMatchingTheSchema() throws Exception {
        HttpResponse<String> r = t.post("/v1/chat/completions", body("\"tool_choice\":\"required\",\"parallel_tool_calls\":false"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode answer = TestServer.json(r);
        assertEquals("agent", answer.path("model").asText(), "the model is named as the client named it");
        assertEquals("chat.completion", answer.path("object").asText());
        JsonNode choice = answer.at("/choices/0");
        assertEquals("tool_calls", choice.path("finish_reason").asText(), r.body());
        JsonNode call = choice.at("/message/tool_calls/0");
        assertEquals("get_weather", call.at("/function/name").asText());
        JsonNode args = TestServer.JSON.readTree(call.at("/function/arguments").asText());
        assertTrue(Set.of("Paris", "London").contains(args.path("city").asText()), args.toString());
        assertTrue(answer.at("/usage/completion_tokens").asInt() > 0, r.body());
    }

    @Test
    void aStreamedCallArrivesAsDeltasThenDone() throws Exception {
        HttpResponse<String> r = t.post("/v1/chat/completions",
                body("\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}},\"stream\":true"));
        assertEquals(200, r.statusCode(), r.body());
        StringBuilder arguments = new StringBuilder();
        String finish = null;
        for (String line : r.body().split("\n")) {
            if (!line.startsWith("data: {")) {
                continue;
            }
            JsonNode chunk = TestServer.JSON.readTree(line.substring(6));
            assertEquals("agent", chunk.path("model").asText());
            JsonNode choice = chunk.at("/choices/0");
            arguments.append(choice.at("/delta/tool_calls/0/function/arguments").asText(""));
            if (choice.path("finish_reason").isTextual()) {
                finish = choice.path("finish_reason").asText();
            }
        }
        assertTrue(r.body().strip().endsWith("data: [DONE]"), r.body());
        assertEquals("tool_calls", finish);
        assertTrue(Set.of("Paris", "London").contains(TestServer.JSON.readTree(arguments.toString()).path("city").asText()),
                arguments.toString());
    }

    @Test
    void aConversationWithAToolResultAndALateSystemMessageIsAnswered() {
        String body = """
                {"model":"agent","max_tokens":8,"temperature":0,"tools":%s,"messages":[
                  {"role":"user","content":"What is the weather in Paris?"},
                  {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                    "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"sunny, 21 C"},
                  {"role":"system","content":"Answer in one word."},
                  {"role":"user","content":"So?"}]}""".formatted(TOOLS);
        HttpResponse<String> r = t.post("/v1/chat/completions", body);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode message = TestServer.json(r).at("/choices/0/message");
        assertEquals("assistant", message.path("role").asText());
        assertFalse(message.path("content").asText().isEmpty(), r.body());
    }

    @Test
    void aSystemMessageAfterTheFirstTurnIsNotRefused() {
        HttpResponse<String> r = t.post("/v1/chat/completions", """
                {"model":"agent","max_tokens":4,"messages":[{"role":"user","content":"hi"},
                 {"role":"assistant","content":"hello"},{"role":"system","content":"Be brief."},{"role":"user","content":"again"}]}""");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(4, TestServer.json(r).at("/usage/completion_tokens").asInt(), r.body());
    }

    @Test
    void whatSlmChecksIsRefusedByNameAndLlamaCppsRefusalsPassThrough() {
        HttpResponse<String> cap = t.post("/v1/chat/completions", body("\"max_tokens\":301"));
        assertEquals(400, cap.statusCode(), cap.body());
        assertEquals("max_tokens", TestServer.json(cap).at("/error/param").asText());
        HttpResponse<String> unknown = t.post("/v1/chat/completions",
                body("\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"launch\"}}"));
        assertEquals(400, unknown.statusCode(), unknown.body());
        assertTrue(TestServer.json(unknown).at("/error/message").asText().contains("'launch'"), unknown.body());
        HttpResponse<String> missing = t.post("/v1/chat/completions", body("\"tool_choice\":\"required\"")
                .replace("\"model\":\"agent\"", "\"model\":\"nope\""));
        assertEquals(404, missing.statusCode(), missing.body());
    }

    /** The Responses API's shape of the same tool: name and parameters at the top level. */
    static final String RESPONSES_TOOLS = """
            [{"type":"function","name":"get_weather","description":"The weather in a city",
              "parameters":{"type":"object","properties":{"city":{"type":"string","enum":["Paris","London"]}},"required":["city"]}}]""";

    @Test
    void theResponsesApiAnswersARequiredOrNamedCallAsAFunctionCallItem() throws Exception {
        HttpResponse<String> r = t.post("/v1/responses", """
                {"model":"agent","input":"What is the weather in Paris?","temperature":0,"tools":%s,
                 "tool_choice":"required","parallel_tool_calls":false}""".formatted(RESPONSES_TOOLS));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode call = functionCall(TestServer.json(r));
        assertEquals("get_weather", call.path("name").asText(), r.body());
        assertTrue(Set.of("Paris", "London").contains(
                TestServer.JSON.readTree(call.path("arguments").asText()).path("city").asText()), r.body());
        assertFalse(call.path("call_id").asText().isEmpty(), r.body());

        HttpResponse<String> s = t.post("/v1/responses", """
                {"model":"agent","input":"What is the weather in Paris?","temperature":0,"tools":%s,
                 "tool_choice":{"type":"function","name":"get_weather"},"stream":true}""".formatted(RESPONSES_TOOLS));
        assertEquals(200, s.statusCode(), s.body());
        StringBuilder arguments = new StringBuilder();
        JsonNode completed = null;
        for (String line : s.body().split("\n")) {
            if (!line.startsWith("data: {")) {
                continue;
            }
            JsonNode event = TestServer.JSON.readTree(line.substring(6));
            if (event.path("type").asText().equals("response.function_call_arguments.delta")) {
                arguments.append(event.path("delta").asText());
            } else if (event.path("type").asText().equals("response.completed")) {
                completed = event.path("response");
            }
        }
        assertTrue(completed != null, s.body());
        JsonNode streamed = functionCall(completed);
        assertEquals(streamed.path("arguments").asText(), arguments.toString(), "the deltas add up to the call");
        assertTrue(Set.of("Paris", "London").contains(TestServer.JSON.readTree(arguments.toString()).path("city").asText()),
                s.body());

        HttpResponse<String> search = t.post("/v1/responses",
                "{\"model\":\"agent\",\"input\":\"news?\",\"tools\":[{\"type\":\"web_search\"}]}");
        assertEquals(400, search.statusCode(), search.body());
        assertEquals("tools[0].type", TestServer.json(search).at("/error/param").asText(), search.body());
    }

    private static JsonNode functionCall(JsonNode response) {
        for (JsonNode item : response.path("output")) {
            if (item.path("type").asText().equals("function_call")) {
                return item;
            }
        }
        throw new AssertionError("no function_call item in " + response);
    }

    @Test
    void theSlotComesFreeAfterEachRequest() {
        t.post("/v1/chat/completions", body("\"tool_choice\":\"required\",\"parallel_tool_calls\":false,\"max_tokens\":5"));
        Wait.until("the slot to come free", Duration.ofSeconds(10),
                () -> t.metric("slm_slots_active{model=\"agent\"}") == 0);
    }
}
