package dev.slm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselineTest {
    @TempDir
    Path tmp;

    private static RunResult result(String file, int threads, double pp, double tg) {
        return new RunResult(new ModelSummary(file, "m", "qwen3", "Q4_0", 1, 1), EngineUnderTest.SLM, threads, 1, 1,
                new TestResult("pp512", 512, Summary.of(pp), Summary.of(1)),
                new TestResult("tg128", 128, Summary.of(tg), null), "");
    }

    /** llama-bench writes one object per test; the pp and tg of a model and thread count become one baseline. */
    @Test
    void llamaBenchJsonGivesRatiosByModelFileAndThreads() throws Exception {
        Path file = Files.writeString(tmp.resolve("lb.json"), """
                [{"model_filename":"target/bench-models/qwen3-0.6b-Q4_0.gguf","n_threads":2,"n_prompt":512,"n_gen":0,"avg_ts":200.0},
                 {"model_filename":"target/bench-models/qwen3-0.6b-Q4_0.gguf","n_threads":2,"n_prompt":0,"n_gen":128,"avg_ts":30.0},
                 {"model_filename":"target/bench-models/qwen3-0.6b-Q4_0.gguf","n_threads":1,"n_prompt":0,"n_gen":128,"avg_ts":17.0}]""");
        List<Baseline> b = Baseline.read(file);
        assertEquals(2, b.size());
        String table = Baseline.ratioTable(List.of(result("qwen3-0.6b-Q4_0.gguf", 2, 180, 31.5),
                result("other.gguf", 2, 1, 1)), b);
        assertTrue(table.contains("| qwen3-0.6b-Q4_0.gguf | slm | 2 | llama-bench | 0.90 | 1.05 |"), table);
        assertTrue(!table.contains("other.gguf"), table);
    }

    @Test
    void aSavedSlmRunIsABaselineToo() throws Exception {
        BenchReport saved = new BenchReport("slm", Machine.current(), new BenchSettings(512, 128, 1, 0, 512), "cpu", 2,
                java.util.Map.of(), List.of(result("x.gguf", 1, 100, 20)));
        Path file = tmp.resolve("saved.json");
        saved.save(file);
        String table = Baseline.ratioTable(List.of(result("x.gguf", 1, 150, 10)), Baseline.read(file));
        assertTrue(table.contains("| x.gguf | slm | 1 | slm | 1.50 | 0.50 |"), table);
    }

    @Test
    void anythingElseIsRefusedInOneLine() throws Exception {
        Path file = Files.writeString(tmp.resolve("x.json"), "{\"hello\": 1}");
        SlmException e = assertThrows(SlmException.class, () -> Baseline.read(file));
        assertTrue(e.getMessage().endsWith("is neither slm bench's JSON (--save) nor llama-bench's (-o json)"), e.getMessage());
        assertThrows(SlmException.class, () -> Baseline.read(tmp.resolve("missing.json")));
        Path text = Files.writeString(tmp.resolve("t.json"), "vm-1\n");
        SlmException notJson = assertThrows(SlmException.class, () -> Baseline.read(text));
        assertTrue(notJson.getMessage().startsWith(text + " is not JSON: ") && !notJson.getMessage().contains("\n"), notJson.getMessage());
    }
}
