package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.JavaProcess;
import dev.slm.gguf.GgufReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `slm bench` as a user runs it: a smoke run on the fixture model (no speed is asserted). */
class BenchCommandTest {
    private static final String MODEL = FixtureModel.path().toString();

    @TempDir
    Path tmp;

    private static JavaProcess.Result slm(String... args) throws Exception {
        return JavaProcess.run(Main.class.getName(), List.of(args), null, 120, Map.of());
    }

    @Test
    void measuresBothEnginesInChildProcessesAndReportsJson() throws Exception {
        Path plot = tmp.resolve("bench.svg");
        JavaProcess.Result r = slm("bench", MODEL, "-p", "32", "-n", "16", "-r", "2", "-t", "1",
                "--engine", "slm,llama.cpp", "--json", "--plot", plot.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        JsonNode json = new ObjectMapper().readTree(r.stdout());
        assertEquals(32, json.at("/settings/prompt_tokens").asInt());
        JsonNode results = json.at("/results");
        assertEquals(2, results.size(), r.stdout());
        for (int i = 0; i < 2; i++) {
            JsonNode run = results.get(i);
            assertEquals(i == 0 ? "slm" : "llama.cpp", run.at("/engine").asText());
            assertEquals(1, run.at("/threads").asInt());
            assertEquals("pp32", run.at("/prompt/name").asText());
            assertEquals(32, run.at("/prompt/tokens").asInt(), "the prompt has exactly the tokens asked for");
            assertEquals("tg16", run.at("/generation/name").asText());
            assertEquals(16, run.at("/generation/tokens").asInt(), "end-of-text is ignored: all 16 tokens come");
            assertEquals(2, run.at("/generation/tokens_per_second/samples").size());
            assertTrue(run.at("/prompt/tokens_per_second/median").asDouble() > 0, run.toString());
            assertTrue(run.at("/generation/tokens_per_second/min").asDouble() > 0, run.toString());
            assertTrue(run.at("/load_millis").asDouble() > 0, run.toString());
            assertTrue(run.at("/peak_rss_bytes").asLong() > Files.size(Path.of(MODEL)), run.toString());
            assertEquals("stories260K.gguf", run.at("/model/file").asText());
            if (System.getenv("OMP_WAIT_POLICY") == null && System.getenv("GOMP_SPINCOUNT") == null) {
                assertEquals(dev.slm.engine.llamacpp.NativeBuild.current().isOwn() ? "ggml thread pool (no OpenMP)"
                        : "OMP_WAIT_POLICY=PASSIVE (slm's default)", run.at("/thread_waiting").asText());
            }
        }
        assertTrue(results.get(0).at("/prompt/time_to_first_token_millis/median").asDouble() > 0);
        assertTrue(Files.readString(plot).startsWith("<svg"), "the plot is written");
    }

    @Test
    void printsATableWithTheSettingsByDefault() throws Exception {
        JavaProcess.Result r = slm("bench", MODEL, "-p", "16", "-n", "8", "-r", "1", "-t", "1");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains("settings: -p 16 -n 8 -r 1"), r.stdout());
        assertTrue(r.stdout().matches("(?s).*, profile [a-z0-9_.-]+, default threads [0-9]+\\n.*"), "the profile and its threads: " + r.stdout());
        assertTrue(r.stdout().contains("default threads"), r.stdout());
        assertTrue(r.stdout().lines().anyMatch(l -> l.contains("| slm | 1 | pp16 |")), r.stdout());
        assertTrue(r.stdout().lines().anyMatch(l -> l.contains("| slm | 1 | tg8 |")), r.stdout());
    }

    @Test
    void generatesARealShapedModelThatReadsBack() throws Exception {
        Path out = tmp.resolve("smol.gguf");
        JavaProcess.Result r = slm("bench", "--generate", "smollm2-135m", "--type", "Q4_0", "-o", out.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("", r.stdout());
        assertEquals(134_515_008L, GgufReader.read(out).parameterCount());
    }

    @Test
    void badArgumentsGiveOneLineAndExitCode2() throws Exception {
        JavaProcess.Result noModel = slm("bench");
        assertEquals(2, noModel.exitCode());
        assertTrue(noModel.stderr().startsWith("slm: error: no model given"), noModel.stderr());
        JavaProcess.Result engine = slm("bench", MODEL, "--engine", "vllm");
        assertEquals(2, engine.exitCode());
        assertTrue(engine.stderr().contains("unknown engine 'vllm': use slm or llama.cpp"), engine.stderr());
        JavaProcess.Result shape = slm("bench", "--generate", "gpt-9", "-o", tmp.resolve("x.gguf").toString());
        assertEquals(2, shape.exitCode());
        assertTrue(shape.stderr().contains("unknown model shape 'gpt-9'"), shape.stderr());
        assertEquals(1, shape.stderr().lines().count(), shape.stderr());
    }
}
