package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.JavaProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The `slm` command run as a user runs it: a child process, its output and exit code. */
class CliTest {
    private static final String MODEL = FixtureModel.path().toString();

    @TempDir
    Path tmp;

    private static JavaProcess.Result slm(String stdin, String... args) throws IOException, InterruptedException {
        return JavaProcess.run(Main.class.getName(), List.of(args), stdin, 60, Map.of());
    }

    @Test
    void runStreamsTheStoryToStdoutAndExits() throws Exception {
        JavaProcess.Result r = slm(null, "run", MODEL, "Once upon a time", "--temperature", "0", "-n", "40");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().startsWith(FixtureModel.GREEDY_CONTINUATION), r.stdout());
        assertEquals("", r.stderr(), "nothing but the story is printed");
    }

    /** Qwen3 and Gemma 3 models: architectures the binding's b4916 library refused, loaded by slm's own. */
    @Test
    void runGeneratesWithQwen3AndGemma3Models() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.slm.engine.llamacpp.NativeBuild.current().isOwn());
        var shapes = List.of(
                new dev.slm.bench.TransformerShape("tiny-qwen3", "qwen3", 64, 2, 4, 2, 128, 1024, 4096, 1e6f, 1e-6f, false,
                        32, true, false, 0),
                new dev.slm.bench.TransformerShape("tiny-gemma3", "gemma3", 64, 6, 2, 1, 128, 1024, 4096, 1e6f, 1e-6f, false,
                        64, true, true, 16));
        for (var shape : shapes) {
            Path model = tmp.resolve(shape.name() + ".gguf");
            dev.slm.bench.SyntheticModel.write(shape, dev.slm.gguf.GgmlType.Q8_0, model, 5);
            JavaProcess.Result r = slm(null, "run", model.toString(), "the cat sat", "--temperature", "0", "-n", "8");
            assertEquals(0, r.exitCode(), shape.name() + ": " + r.stderr());
            assertFalse(r.stdout().isBlank(), shape.name() + " generated text");
            assertEquals("", r.stderr());
        }
    }

    /** Speculative decoding: the same greedy story with a draft; a draft that is no model named in one line. */
    @Test
    void runWithADraftModelTellsTheSameStory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.slm.engine.llamacpp.NativeBuild.current().isOwn());
        JavaProcess.Result r = slm(null, "run", MODEL, "Once upon a time", "--temperature", "0", "-n", "40",
                "--draft", MODEL, "--draft-max", "4");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().startsWith(FixtureModel.GREEDY_CONTINUATION), r.stdout());

        r = slm(null, "run", MODEL, "Once", "-md", dir.resolve("none.gguf").toString());
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("--draft " + dir.resolve("none.gguf") + ": no such file"), r.stderr());

        java.nio.file.Path junk = java.nio.file.Files.writeString(dir.resolve("junk.gguf"), "junk");
        r = slm(null, "run", MODEL, "Once", "--draft", junk.toString());
        assertEquals(1, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("the draft model " + junk + " is not a usable GGUF model"), r.stderr());
        assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
    }

    @Test
    void runReadsThePromptFromStdin() throws Exception {
        JavaProcess.Result r = slm("Once upon a time", "run", MODEL, "--temperature", "0", "-n", "10");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().startsWith(", there was a little girl"), r.stdout());
    }

    @Test
    void runHonoursStopStrings() throws Exception {
        JavaProcess.Result r = slm(null, "run", MODEL, "Once upon a time", "--temperature", "0", "--stop", "Lily");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(", there was a little girl named \n", r.stdout());
    }

    @Test
    void verboseLogsGoToStderrOnly() throws Exception {
        JavaProcess.Result r = slm(null, "run", MODEL, "Once upon a time", "--temperature", "0", "-n", "5", "-v");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(", there was a little\n", r.stdout());
        assertTrue(r.stderr().contains("llama_model_loader"), "llama.cpp's own lines appear with -v");
        assertTrue(r.stderr().contains("stop=LENGTH"), r.stderr());
    }

    @Test
    void chatKeepsAConversationAndUnderstandsItsCommands() throws Exception {
        JavaProcess.Result r = slm("Once upon a time\n/reset\nTell me about Lily\n/help\n/exit\nnever read\n",
                "chat", MODEL, "--temperature", "0", "-n", "12");
        assertEquals(0, r.exitCode(), r.stderr());
        String[] answers = r.stdout().split("\n");
        assertEquals(2, Arrays.stream(answers).filter(s -> !s.isBlank()).count(), r.stdout());
        assertTrue(r.stderr().contains("(conversation forgotten)"), r.stderr());
        assertTrue(r.stderr().contains("/reset"), "help was printed: " + r.stderr());
    }

    /** llama.cpp logs how much of each prompt it already holds in its KV cache ("kv cache rm [kept, end)"). */
    @Test
    void aChatTurnReusesTheCacheOfThePreviousTurns() throws Exception {
        JavaProcess.Result r = slm("Tell me about Lily\nAnd then?\n/exit\n", "chat", MODEL, "--temperature", "0", "-n", "8", "-v");
        assertEquals(0, r.exitCode(), r.stderr());
        List<Integer> promptSizes = numbers(r.stderr(), "task.n_tokens = (\\d+)");
        List<Integer> kept = numbers(r.stderr(), "memory_seq_rm \\[(\\d+), end\\)");
        // warm-up, turn 1, turn 2
        assertEquals(3, promptSizes.size(), r.stderr());
        assertTrue(kept.getLast() >= promptSizes.get(1),
                "turn 2 should keep turn 1's " + promptSizes.get(1) + " prompt tokens, kept " + kept.getLast());
    }

    private static List<Integer> numbers(String text, String regex) {
        return java.util.regex.Pattern.compile(regex).matcher(text).results()
                .map(m -> Integer.parseInt(m.group(1))).toList();
    }

    @Test
    void chatEndsAtEndOfInput() throws Exception {
        JavaProcess.Result r = slm("Hello\n", "chat", MODEL, "-n", "5");
        assertEquals(0, r.exitCode(), r.stderr());
    }

    @Test
    void versionAndHelp() throws Exception {
        JavaProcess.Result version = slm(null, "--version");
        assertEquals(0, version.exitCode());
        assertTrue(version.stdout().startsWith("slm "), version.stdout());
        assertTrue(version.stdout().contains("java-llama.cpp 4.2.0"), version.stdout());
        // The llama.cpp release named is the one the packaged library was built from.
        assertTrue(version.stdout().contains("llama.cpp " + dev.slm.engine.llamacpp.NativeBuild.current().release()), version.stdout());
        for (String command : List.of("run", "chat")) {
            JavaProcess.Result help = slm(null, command, "--help");
            assertEquals(0, help.exitCode());
            assertTrue(help.stdout().contains("Usage: slm " + command), help.stdout());
        }
    }

    @Test
    void everyBadInputGetsOneLineAndANonZeroExit() throws Exception {
        Path notGguf = Files.writeString(tmp.resolve("notes.gguf"), "just text");
        byte[] model = Files.readAllBytes(FixtureModel.path());
        Path truncated = Files.write(tmp.resolve("cut.gguf"), Arrays.copyOf(model, model.length / 2));
        Path unreadable = Files.write(tmp.resolve("locked.gguf"), model);
        unreadable.toFile().setReadable(false, false);
        record Case(String expected, int code, String... args) {
        }
        List<Case> cases = new java.util.ArrayList<>(List.of(
                new Case("model file not found", 1, "run", tmp.resolve("missing.gguf").toString(), "hi"),
                new Case("is not a GGUF model", 1, "run", notGguf.toString(), "hi"),
                new Case("is truncated", 1, "run", truncated.toString(), "hi"),
                new Case("is a directory", 1, "run", tmp.toString(), "hi"),
                new Case("larger than this model allows", 1, "run", MODEL, "hi", "--ctx", "100000"),
                new Case("the prompt is empty", 1, "run", MODEL, ""),
                new Case("invalid grammar", 1, "run", MODEL, "hi", "--grammar-file", Files.writeString(tmp.resolve("g.gbnf"), "root ::= (").toString()),
                new Case("temperature must be 0 or more", 2, "run", MODEL, "hi", "--temperature", "-1"),
                new Case("Unknown option", 2, "run", MODEL, "hi", "--no-such-flag"),
                new Case("Missing required parameter", 2, "run")));
        if (!Files.isReadable(unreadable)) {
            // Root reads every file; the case only means something for ordinary users.
            cases.add(new Case("permission denied", 1, "run", unreadable.toString(), "hi"));
        }
        for (Case c : cases) {
            JavaProcess.Result r = slm(null, c.args());
            String where = String.join(" ", c.args()) + " -> " + r.stderr();
            assertEquals(c.code(), r.exitCode(), where);
            assertTrue(r.stderr().startsWith("slm: error: ") && r.stderr().contains(c.expected()), where);
            assertEquals(1, r.stderr().strip().lines().count(), "one line: " + where);
            assertFalse(r.stderr().contains("Exception"), where);
            assertEquals("", r.stdout(), where);
        }
    }
}
