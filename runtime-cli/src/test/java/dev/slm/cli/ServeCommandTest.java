package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.fixtures.FixtureModel;
import dev.slm.store.ModelImport;
import dev.slm.store.ModelStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slm serve --check-config}: 0 and a summary for a good configuration, 1 and one line per problem otherwise. */
class ServeCommandTest {

    private record Result(int code, String out, String err) {
    }

    private static Result slm(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void validConfigPrintsASummaryAndExits0(@TempDir Path dir) throws IOException {
        Path conf = dir.resolve("slm.conf");
        Files.writeString(conf, "port = 9090\n[model.stories]\npath = " + FixtureModel.path() + "\nparallel = 2\n");
        Result r = slm("serve", "--config", conf.toString(), "--check-config");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.getFirst().startsWith("config ok: listening on 127.0.0.1:9090, no API keys, memory budget "), r.out());
        assertTrue(lines.get(1).startsWith("model stories: " + FixtureModel.path() + " (llama, F32, 2 slot(s), queue 8"), r.out());
        // The launch plan, as `slm profile MODEL` prints it: the same planner decided it.
        assertTrue(lines.get(2).startsWith("  profile: "), r.out());
        assertTrue(r.out().contains("  context: 2048 tokens"), r.out());
        assertTrue(r.out().contains("  gpu layers: 0"), r.out());
        assertTrue(r.out().contains("  threads: "), r.out());
        assertTrue(r.out().contains("  kv cache: f16, flash attention "), r.out());
        assertTrue(r.out().contains("  memory: needs "), r.out());
        assertEquals("", r.err());
    }

    @Test
    void theShippedExampleConfigIsValid(@TempDir Path dir) {
        Path example = Path.of("../packaging/systemd/slm.conf").toAbsolutePath().normalize();
        // The example names a pulled Qwen model with a 4096-token context; the fixture, imported
        // into a store of its own, stands in for it.
        Path models = dir.resolve("models");
        new ModelImport(ModelStore.at(models)).importFile(FixtureModel.path(), "stories");
        Path stored = ModelStore.at(models).modelFile("stories").orElseThrow();
        Result r = slm("serve", "--config", example.toString(), "--set", "models_dir=" + models,
                "--set", "model.qwen3-0.6b.model=stories", "--set", "model.qwen3-0.6b.context=2048", "--check-config");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("model qwen3-0.6b: " + stored + " ("), r.out());
    }

    @Test
    void aModelIsNamedAsPulledOrGivenAsAFile(@TempDir Path dir) {
        Path models = dir.resolve("models");
        new ModelImport(ModelStore.at(models)).importFile(FixtureModel.path(), "stories");
        Result r = slm("serve", "--config", "/dev/null", "--set", "models_dir=" + models, "--model", "tiny=stories",
                "--model", "file=" + FixtureModel.path(), "--check-config");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("model tiny: " + ModelStore.at(models).modelFile("stories").orElseThrow()), r.out());
        assertTrue(r.out().contains("model file: " + FixtureModel.path()), r.out());
        r = slm("serve", "--config", "/dev/null", "--set", "models_dir=" + models, "--model", "q=qwen2.5-0.5b-instruct",
                "--check-config");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("model qwen2.5-0.5b-instruct is not in the model store " + models
                + ": pull it as the server's user (`slm pull qwen2.5-0.5b-instruct --models-dir " + models + "`)"), r.err());
    }

    @Test
    void flagsAndModelsWithoutAFile() {
        Result r = slm("serve", "--config", "/dev/null", "--model", "tiny=" + FixtureModel.path(), "--host", "0.0.0.0",
                "--port", "0", "--set", "model.tiny.keep_alive=never", "--check-config");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("config ok: listening on 0.0.0.0:0"), r.out());
        assertTrue(r.out().contains("keep_alive forever"), r.out());
    }

    @Test
    void everyProblemIsOneLineAndTheExitCodeIs1(@TempDir Path dir) throws IOException {
        Path conf = dir.resolve("slm.conf");
        Path notGguf = dir.resolve("notes.gguf");
        Files.writeString(notGguf, "not a model");
        Files.writeString(conf, "port = seventy\n[model.a]\npath = " + notGguf + "\n");
        Result r = slm("serve", "--config", conf.toString(), "--check-config");
        assertEquals(1, r.code());
        assertEquals("", r.out());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.getFirst().startsWith("slm: error: " + conf + ":1: port must be a whole number"), r.err());

        Files.writeString(conf, "[model.a]\npath = " + notGguf + "\n");
        r = slm("serve", "--config", conf.toString(), "--check-config");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("slm: error: model 'a': "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    /** Not --check-config: a service with a broken config exits 78, which its unit does not restart. */
    @Test
    void servingWithABrokenConfigExits78(@TempDir Path dir) throws IOException {
        Path conf = dir.resolve("slm.conf");
        Files.writeString(conf, "port = seventy\n");
        Result r = slm("serve", "--config", conf.toString());
        assertEquals(78, r.code(), r.err());
        assertTrue(r.err().startsWith("slm: error: " + conf + ":1: port must be a whole number"), r.err());
    }

    @Test
    void missingConfigFileIsReported(@TempDir Path dir) {
        Result r = slm("serve", "--config", dir.resolve("nope.conf").toString(), "--check-config");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("nope.conf: no such file"), r.err());
    }
}
