package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.FixtureVariants;
import dev.slm.fixtures.JavaProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Ollama and llama.cpp users expect of `slm run` and `slm chat`, with the real fixture model. */
class TerminalHabitsTest {
    private static final String MODEL = FixtureModel.path().toString();
    private static final Pattern STATS = Pattern.compile(
            "prompt: (\\d+) tokens, [\\d.]+ tokens/s \\| generated: (\\d+) tokens, [\\d.]+ tokens/s \\| first token: \\d+ ms \\| load: \\d+ ms");

    @TempDir
    Path tmp;

    private static JavaProcess.Result slm(String stdin, String... args) throws IOException, InterruptedException {
        return JavaProcess.run(Main.class.getName(), List.of(args), stdin, 60, Map.of());
    }

    private static Matcher stats(JavaProcess.Result r) {
        Matcher m = STATS.matcher(r.stderr());
        assertTrue(m.find(), "a --verbose line: " + r.stderr());
        return m;
    }

    @Test
    void runUsesTheChatTemplateOfAModelThatHasOneAndRawContinues() throws Exception {
        Path instruct = Files.write(tmp.resolve("instruct.gguf"),
                FixtureVariants.withChatTemplate("{% for m in messages %}<start_of_turn>{{ m.content }}<end_of_turn>{% endfor %}"));
        JavaProcess.Result chat = slm(null, "run", instruct.toString(), "Once upon a time", "--temp", "0", "-n", "8", "--verbose");
        JavaProcess.Result raw = slm(null, "run", instruct.toString(), "Once upon a time", "--temp", "0", "-n", "8", "--verbose", "--raw");
        JavaProcess.Result base = slm(null, "run", MODEL, "Once upon a time", "--temp", "0", "-n", "8", "--verbose");
        assertEquals(0, chat.exitCode(), chat.stderr());
        assertEquals(0, raw.exitCode(), raw.stderr());
        // "Once upon a time" is 5 tokens with BOS; the template's turn markers add more.
        assertEquals(5, Integer.parseInt(stats(raw).group(1)), raw.stderr());
        assertEquals(5, Integer.parseInt(stats(base).group(1)), "no template: a plain continuation");
        assertTrue(Integer.parseInt(stats(chat).group(1)) > 5, chat.stderr());
        assertTrue(raw.stdout().startsWith(", there was a little"), raw.stdout());
    }

    @Test
    void chatWithAPromptAnswersOnceAndExitsOrGoesOnWithI() throws Exception {
        JavaProcess.Result once = slm("never read\n", "chat", MODEL, "Once upon a time", "--temp", "0", "-n", "6");
        assertEquals(0, once.exitCode(), once.stderr());
        assertEquals(1, once.stdout().strip().lines().count(), once.stdout());
        JavaProcess.Result more = slm("And then?\n", "chat", MODEL, "Once upon a time", "-i", "--temp", "0", "-n", "6");
        assertEquals(0, more.exitCode(), more.stderr());
        assertEquals(2, more.stdout().strip().lines().filter(l -> !l.isBlank()).count(), more.stdout());
    }

    @Test
    void llamaCppAndOllamaSpellingsWork() throws Exception {
        Path prompt = Files.writeString(tmp.resolve("prompt.txt"), "Once upon a time");
        for (List<String> args : List.of(
                List.of("run", "-m", MODEL, "-p", "Once upon a time", "--temp", "0", "-n", "40", "-c", "256", "-ngl", "0"),
                List.of("run", "--model", MODEL, "--file", prompt.toString(), "--temp", "0", "--n-predict", "40",
                        "--ctx-size", "256", "--n-gpu-layers", "0"))) {
            JavaProcess.Result r = slm(null, args.toArray(String[]::new));
            assertEquals(0, r.exitCode(), args + ": " + r.stderr());
            assertTrue(r.stdout().startsWith(FixtureModel.GREEDY_CONTINUATION), args + ": " + r.stdout());
        }
        JavaProcess.Result grammar = slm(null, "run", MODEL, "Once upon a time", "--grammar", "root ::= \"yes\" | \"no\"", "--temp", "0");
        assertEquals(0, grammar.exitCode(), grammar.stderr());
        assertTrue(List.of("yes", "no").contains(grammar.stdout().strip()), grammar.stdout());
    }

    @Test
    void mistypedCommandsAndOptionsGetASuggestion() throws Exception {
        JavaProcess.Result command = slm(null, "rn", MODEL, "hi");
        assertEquals(2, command.exitCode());
        assertTrue(command.stderr().contains("(did you mean run"), command.stderr());
        assertEquals(1, command.stderr().strip().lines().count(), command.stderr());
        JavaProcess.Result option = slm(null, "run", MODEL, "hi", "--tmp", "0");
        assertEquals(2, option.exitCode());
        assertTrue(option.stderr().contains("(did you mean --temp"), option.stderr());
        JavaProcess.Result help = slm(null, "help", "run");
        assertEquals(0, help.exitCode(), help.stderr());
        assertTrue(help.stdout().startsWith("Usage: slm run"), help.stdout());
        JavaProcess.Result version = slm(null, "version");
        assertEquals(0, version.exitCode(), version.stderr());
        assertTrue(version.stdout().startsWith("slm ") && version.stdout().contains("llama.cpp " + dev.slm.engine.llamacpp.NativeBuild.current().release()), version.stdout());
    }

    @Test
    void verbosePrintsOneLineOfSpeedsAfterTheAnswerAndDashVStaysTheDebugLog() throws Exception {
        JavaProcess.Result r = slm(null, "run", MODEL, "Once upon a time", "--temp", "0", "-n", "12", "--verbose");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(12, Integer.parseInt(stats(r).group(2)));
        assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
        assertFalse(r.stderr().contains("llama_model_loader"), "--verbose is not the debug log");
        JavaProcess.Result debug = slm(null, "run", MODEL, "Once upon a time", "--temp", "0", "-n", "5", "-v");
        assertTrue(debug.stderr().contains("llama_model_loader"), debug.stderr());
        assertFalse(STATS.matcher(debug.stderr()).find(), debug.stderr());
    }

    @Test
    void jsonSchemasAreTakenInlineOrFromAFileAndBadOnesGetOneLine() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},\"required\":[\"a\"]}";
        Path file = Files.writeString(tmp.resolve("s.json"), schema);
        for (String value : List.of(schema, "@" + file, file.toString())) {
            JavaProcess.Result r = slm(null, "run", MODEL, "hi", "--temp", "0", "-n", "30", "--json-schema", value);
            assertEquals(0, r.exitCode(), r.stderr());
            assertTrue(r.stdout().strip().startsWith("{") && r.stdout().contains("\"a\""), r.stdout());
        }
        for (String command : List.of("run", "chat")) {
            for (String bad : List.of("{\"type\":\"foo\"}", "{\"type\":", "@" + tmp.resolve("missing.json"),
                    "{\"$ref\":\"#/nowhere\"}", "{\"type\":\"integer\",\"minimum\":5,\"maximum\":1}")) {
                JavaProcess.Result r = slm("hi\n", command, MODEL, "hi", "--json-schema", bad);
                String where = command + " " + bad + " -> " + r.stderr();
                assertEquals(1, r.exitCode(), where);
                assertTrue(r.stderr().startsWith("slm: error: "), where);
                assertEquals(1, r.stderr().strip().lines().count(), where);
            }
        }
    }

    @Test
    void aClosedStdoutStopsTheAnswerQuietly() throws Exception {
        // 3000 letters take the model a few seconds; the reader wants 20 bytes.
        Path longAnswer = Files.writeString(tmp.resolve("long.gbnf"), "root ::= [a-z ]{1500} [a-z ]{1500}\n");
        Process p = JavaProcess.builder(Main.class.getName(), List.of("run", MODEL, "Once upon a time",
                "--grammar-file", longAnswer.toString(), "-t", "1", "-v")).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        InputStream out = p.getInputStream();
        assertEquals(20, out.readNBytes(20).length);
        out.close();
        var stderr = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "slm ended");
        assertEquals(0, p.exitValue(), stderr.join());
        assertTrue(stderr.join().contains("stop=CANCELLED"), "generation stopped early: " + stderr.join());
        assertFalse(stderr.join().contains("Exception"), stderr.join());
    }

    @Test
    void homeFromTheEnvironmentWinsOverJavasUserHome() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        JavaProcess.Result r = JavaProcess.run(Main.class.getName(), List.of("list"), null, 60,
                Map.of("HOME", home.toString(), "SLM_HOME", "", "XDG_CACHE_HOME", ""));
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue((r.stdout() + r.stderr()).contains(home.resolve(".cache/slm/models").toString()), r.stdout() + r.stderr());
    }

    @Test
    void chatCommandsSetShowAndMultiLineInputWorkOverAPipe() throws Exception {
        JavaProcess.Result r = slm("/set parameter temperature 0\n/set parameter num_predict 4\n/set parameter bogus 1\n"
                        + "/set system Be kind.\n/show\n\"\"\"Once upon\na time\"\"\"\n/reset\n/show parameters\n/exit\n",
                "chat", MODEL, "--temp", "0.5");
        assertEquals(0, r.exitCode(), r.stderr());
        String err = r.stderr();
        assertTrue(err.contains("temperature     0.0\n") && err.contains("num_predict     4\n"), err);
        assertTrue(err.contains("slm: error: unknown parameter bogus; one of temperature"), err);
        assertTrue(err.contains("Be kind.\n"), "/show prints the system prompt: " + err);
        assertTrue(err.contains("chat template   none (ChatML)"), err);
        assertTrue(err.contains("temperature     0.5\n"), "/reset restores the command line's parameters: " + err);
        assertEquals(1, r.stdout().strip().lines().count(), "one answer, to the two lines: " + r.stdout());
    }

    @Test
    void aLongConversationDropsItsOldestTurnsOrWithNoContextShiftSaysToReset() throws Exception {
        String turns = "Tell me a story about Lily and her dog.\n".repeat(8);
        JavaProcess.Result shift = slm(turns, "chat", MODEL, "--temp", "0", "-n", "20", "--ctx", "128", "--system", "Be kind.");
        assertEquals(0, shift.exitCode(), shift.stderr());
        assertTrue(shift.stderr().contains("(the conversation outgrew the context of 128 tokens: dropped the oldest"), shift.stderr());
        assertFalse(shift.stderr().contains("error"), shift.stderr());

        JavaProcess.Result strict = slm(turns, "chat", MODEL, "--temp", "0", "-n", "20", "--ctx", "96", "--no-context-shift");
        assertEquals(0, strict.exitCode(), strict.stderr());
        assertTrue(strict.stderr().contains("slm: error: the conversation ("), strict.stderr());
        assertTrue(strict.stderr().contains("no longer fits the context of 96 tokens") && strict.stderr().contains("/reset"),
                strict.stderr());
    }
}
