package dev.slm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.fixtures.FixtureVariants;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tool calls in each catalog family's own format: the fixture model carries that family's chat
 * template (llama.cpp's copy, see FixtureVariants), so with a call required or named, the grammar
 * llama.cpp builds for that format makes the fixture write the family's call syntax, and the answer
 * must come back parsed into {@code tool_calls} with arguments that match the schema and no markup
 * left in the text, whole and streamed. Gemma and Phi templates have no tool format: llama.cpp's
 * generic JSON fallback answers for them.
 */
class ToolCallFamiliesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The values each function's one argument may take (its schema's enum, in ToolCallTest.TOOLS). */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "get_weather", Set.of("Paris", "London"),
            "get_time", Set.of("UTC", "CET"));
    private static final Map<String, String> ARGUMENT = Map.of("get_weather", "city", "get_time", "zone");

    @BeforeAll
    static void ownLibrary() {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
    }

    /**
     * {@code schemaInGrammar}: whether llama.cpp's grammar for the format holds argument values to
     * the schema. LFM2's Python-style calls (`get_weather(city="...")`) take any string for an
     * argument in llama.cpp v0.5.0 (common_chat_peg_builder::python_style_tool_calls), so there the
     * call is checked for its function and argument names only.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "Qwen-Qwen2.5-7B-Instruct.jinja, true",
        "Qwen-Qwen3-0.6B.jinja, true",
        "meta-llama-Llama-3.2-3B-Instruct.jinja, true",
        "mistralai-Mistral-Nemo-Instruct-2407.jinja, true",
        "ibm-granite-granite-4.0.jinja, true",
        "LFM2-8B-A1B.jinja, false",
        "HuggingFaceTB-SmolLM3-3B.jinja, true",
        "google-gemma-2-2b-it.jinja, true",
        "microsoft-Phi-3.5-mini-instruct.jinja, true",
    })
    void aRequiredOrNamedCallIsParsedFromTheFamilysFormat(String template, boolean schemaInGrammar) throws Exception {
        Path file = Files.createTempFile("family", ".gguf");
        try {
            Files.write(file, FixtureVariants.withTemplateFile(template));
            try (Model model = Model.open(file, ModelOptions.defaults().withThreads(1).withContextSize(2048))) {
                JsonNode whole = whole(model, ToolCallTest.request("\"tool_choice\":\"required\",\"parallel_tool_calls\":false"));
                JsonNode calls = whole.at("/message/tool_calls");
                assertEquals(1, calls.size(), whole.toString());
                assertEquals("function", calls.get(0).path("type").asText(), whole.toString());
                assertTrue(!calls.get(0).path("id").asText().isEmpty(), whole.toString());
                assertValid(calls.get(0).at("/function/name").asText(), calls.get(0).at("/function/arguments").asText(), schemaInGrammar, whole);
                assertTrue(whole.at("/message/content").asText("").isBlank(), "markup left in the text: " + whole);
                assertEquals("tool_calls", whole.path("finish_reason").asText(), whole.toString());

                Streamed streamed = streamed(model, ToolCallTest.request(
                        "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}},\"stream\":true"));
                assertEquals("get_time", streamed.name, streamed.toString());
                assertValid(streamed.name, streamed.arguments, schemaInGrammar, JSON.valueToTree(streamed.toString()));
                assertTrue(streamed.content.isBlank(), "markup left in the text: " + streamed);
                assertEquals("tool_calls", streamed.finish, streamed.toString());

                // "auto": the fixture writes text, which stays text.
                JsonNode auto = whole(model, ToolCallTest.request("\"tool_choice\":\"auto\",\"max_tokens\":8"));
                assertTrue(auto.at("/message/tool_calls").isMissingNode() || auto.at("/message/tool_calls").isEmpty(), auto.toString());
                assertTrue(!auto.at("/message/content").asText("").isBlank(), auto.toString());

                // The agent's loop: the call as it came back, its result, then the model's turn, rendered by the
                // family's template (or in slm's generic shape). Mistral's insists on 9-character call ids.
                String conversation = """
                        {"messages":[{"role":"user","content":"What is the weather in Paris?"},%s,
                          {"role":"tool","tool_call_id":%s,"content":"sunny, 21 C"}],
                         "tools":%s,"max_tokens":4,"temperature":0}""".formatted(whole.path("message"),
                        calls.get(0).path("id"), ToolCallTest.TOOLS);
                JsonNode after = whole(model, conversation);
                assertEquals("assistant", after.at("/message/role").asText(), after.toString());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void assertValid(String name, String arguments, boolean schemaInGrammar, JsonNode context) throws Exception {
        assertTrue(ALLOWED.containsKey(name), "called " + name + ": " + context);
        if (!schemaInGrammar) { // any text may be in the value, even what JSON must escape
            assertTrue(arguments.startsWith("{\"" + ARGUMENT.get(name) + "\""), "arguments " + arguments);
            return;
        }
        JsonNode args = JSON.readTree(arguments);
        assertTrue(ALLOWED.get(name).contains(args.path(ARGUMENT.get(name)).asText()), "arguments " + arguments);
    }

    private static JsonNode whole(Model model, String body) throws Exception {
        try (OpenAiCall call = model.openAi("/v1/chat/completions", body)) {
            assertEquals(200, call.status(), call.body());
            return JSON.readTree(call.body()).at("/choices/0");
        }
    }

    private record Streamed(String name, String arguments, String content, String finish) {
    }

    private static Streamed streamed(Model model, String body) throws Exception {
        StringBuilder arguments = new StringBuilder();
        StringBuilder content = new StringBuilder();
        String name = null;
        String finish = null;
        try (OpenAiCall call = model.openAi("/v1/chat/completions", body)) {
            assertEquals(200, call.status(), call.body());
            for (String chunk = call.body(); chunk != null; chunk = call.nextChunk()) {
                for (String line : chunk.split("\n")) {
                    if (!line.startsWith("data: {")) {
                        continue;
                    }
                    JsonNode choice = JSON.readTree(line.substring(6)).at("/choices/0");
                    content.append(choice.at("/delta/content").asText(""));
                    JsonNode delta = choice.at("/delta/tool_calls/0");
                    if (!delta.isMissingNode()) {
                        assertEquals(0, delta.path("index").asInt(), line);
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
        return new Streamed(name, arguments.toString(), content.toString(), finish);
    }
}
