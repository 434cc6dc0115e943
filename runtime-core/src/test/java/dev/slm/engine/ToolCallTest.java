package dev.slm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.fixtures.FixtureVariants;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tool calls through llama.cpp's chat handler with slm's tool_choice handling (jllama.cpp): the
 * fixture model, which never writes a call by itself, returns one whose arguments match the schema
 * when a call is required or named.
 */
class ToolCallTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TOOLS = """
            [{"type":"function","function":{"name":"get_weather","description":"The weather in a city",
              "parameters":{"type":"object","properties":{"city":{"type":"string","enum":["Paris","London"]}},"required":["city"]}}},
             {"type":"function","function":{"name":"get_time","description":"The time in a zone",
              "parameters":{"type":"object","properties":{"zone":{"type":"string","enum":["UTC","CET"]}},"required":["zone"]}}}]""";
    private static Path file;
    private static Model model;

    @BeforeAll
    static void open() throws Exception {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        file = Files.createTempFile("tools", ".gguf");
        Files.write(file, FixtureVariants.withToolCallingTemplate());
        model = Model.open(file, ModelOptions.defaults().withThreads(1).withContextSize(2048));
    }

    @AfterAll
    static void close() throws Exception {
        if (model != null) {
            model.close();
        }
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }

    static String request(String extra) {
        return """
                {"messages":[{"role":"user","content":"What is the weather in Paris?"}],"max_tokens":200,
                 "temperature":0,"tools":%s,%s}""".formatted(TOOLS, extra);
    }

    private static JsonNode answer(String body) throws Exception {
        try (OpenAiCall call = model.openAi("/v1/chat/completions", body)) {
            assertEquals(200, call.status(), call.body());
            return JSON.readTree(call.body());
        }
    }

    @Test
    void requiredReturnsOneCallWhoseArgumentsMatchTheSchema() throws Exception {
        JsonNode choice = answer(request("\"tool_choice\":\"required\",\"parallel_tool_calls\":false")).at("/choices/0");
        assertEquals("tool_calls", choice.path("finish_reason").asText(), choice.toString());
        JsonNode calls = choice.at("/message/tool_calls");
        assertEquals(1, calls.size(), choice.toString());
        assertEquals("function", calls.get(0).path("type").asText());
        assertFalse(calls.get(0).path("id").asText().isEmpty());
        String name = calls.get(0).at("/function/name").asText();
        JsonNode args = JSON.readTree(calls.get(0).at("/function/arguments").asText());
        if (name.equals("get_weather")) {
            assertTrue(Set.of("Paris", "London").contains(args.path("city").asText()), args.toString());
        } else {
            assertEquals("get_time", name);
            assertTrue(Set.of("UTC", "CET").contains(args.path("zone").asText()), args.toString());
        }
    }

    @Test
    void parallelCallsAreEachValid() throws Exception {
        JsonNode choice = answer(request("\"tool_choice\":\"required\"")).at("/choices/0");
        JsonNode calls = choice.at("/message/tool_calls");
        assertTrue(calls.size() >= 2, calls.toString()); // the fixture never stops calling
        // A call cut off by max_tokens (finish_reason "length") is sent as far as it got, as llama-server does.
        int complete = choice.path("finish_reason").asText().equals("length") ? calls.size() - 1 : calls.size();
        for (int i = 0; i < complete; i++) {
            assertTrue(JSON.readTree(calls.get(i).at("/function/arguments").asText()).isObject(), calls.get(i).toString());
        }
    }

    @Test
    void aNamedFunctionIsTheOneCalled() throws Exception {
        JsonNode choice = answer(request("\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}"))
                .at("/choices/0");
        JsonNode calls = choice.at("/message/tool_calls");
        assertEquals(1, calls.size(), choice.toString());
        assertEquals("get_time", calls.get(0).at("/function/name").asText());
        JsonNode args = JSON.readTree(calls.get(0).at("/function/arguments").asText());
        assertTrue(Set.of("UTC", "CET").contains(args.path("zone").asText()), args.toString());
    }

    @Test
    void aStreamedCallArrivesAsToolCallDeltas() throws Exception {
        StringBuilder arguments = new StringBuilder();
        String name = null;
        String finish = null;
        try (OpenAiCall call = model.openAi("/v1/chat/completions",
                request("\"tool_choice\":\"required\",\"parallel_tool_calls\":false,\"stream\":true"))) {
            assertEquals(200, call.status());
            assertTrue(call.streaming());
            for (String chunk = call.body(); chunk != null; chunk = call.nextChunk()) {
                for (String line : chunk.split("\n")) {
                    if (!line.startsWith("data: {")) {
                        continue;
                    }
                    JsonNode choice = JSON.readTree(line.substring(6)).at("/choices/0");
                    JsonNode delta = choice.at("/delta/tool_calls/0");
                    if (!delta.isMissingNode()) {
                        assertEquals(0, delta.path("index").asInt());
                        if (delta.at("/function/name").isTextual()) {
                            name = delta.at("/function/name").asText();
                        }
                        arguments.append(delta.at("/function/arguments").asText(""));
                    }
                    if (choice.path("finish_reason").isTextual()) {
                        finish = choice.path("finish_reason").asText();
                    }
                }
            }
        }
        assertTrue(name != null && name.startsWith("get_"), String.valueOf(name));
        assertTrue(JSON.readTree(arguments.toString()).isObject(), arguments.toString());
        assertEquals("tool_calls", finish);
    }

    @Test
    void autoAndNoneLeaveTheModelToWriteText() throws Exception {
        for (String choice : new String[] {"\"tool_choice\":\"auto\"", "\"tool_choice\":\"none\""}) {
            JsonNode message = answer(request(choice.replace("}", "") + ",\"max_tokens\":8")).at("/choices/0/message");
            assertTrue(message.path("tool_calls").isMissingNode() || message.path("tool_calls").isEmpty(), message.toString());
            assertFalse(message.path("content").asText().isEmpty(), message.toString());
        }
    }

    @Test
    void aConversationWithAToolResultIsRendered() throws Exception {
        String body = """
                {"messages":[{"role":"user","content":"What is the weather in Paris?"},
                  {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                    "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"sunny, 21 C"},
                  {"role":"system","content":"Answer briefly."},
                  {"role":"user","content":"And so?"}],
                 "tools":%s,"max_tokens":8,"temperature":0}""".formatted(TOOLS);
        JsonNode message = answer(body).at("/choices/0/message");
        assertEquals("assistant", message.path("role").asText());
    }

    @Test
    void aNamedFunctionThatIsNotInToolsIsRefusedByName() throws Exception {
        try (OpenAiCall call = model.openAi("/v1/chat/completions",
                request("\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"launch\"}}"))) {
            assertEquals(400, call.status());
            assertTrue(call.body().contains("'launch'"), call.body());
        }
        try (OpenAiCall call = model.openAi("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tool_choice\":\"required\"}")) {
            assertEquals(400, call.status());
            assertTrue(call.body().contains("tools"), call.body());
        }
    }
}
