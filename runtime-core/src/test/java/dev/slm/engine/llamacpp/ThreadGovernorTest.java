package dev.slm.engine.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.engine.ModelOptions;
import dev.slm.engine.OpenAiCall;
import dev.slm.fixtures.FixtureModel;
import dev.slm.gguf.GgufReader;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Fewer compute threads while other processes keep cores busy: the rule, llama.cpp really changing
 * its thread count between graphs (with the same greedy text), and the governor following the load.
 */
class ThreadGovernorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ModelOptions TWO_THREADS = ModelOptions.defaults().withThreads(2).withContextSize(256);

    @Test
    void eachCpuOthersKeepMoreThanHalfBusyIsTakenFromTheCeiling() {
        assertEquals(2, ThreadGovernor.threadsFor(2, 2, 0.0));
        assertEquals(2, ThreadGovernor.threadsFor(2, 2, 0.4), "a daemon's few percent take nothing");
        assertEquals(1, ThreadGovernor.threadsFor(2, 2, 0.6));
        assertEquals(1, ThreadGovernor.threadsFor(2, 2, 2.0), "never fewer than one");
        assertEquals(6, ThreadGovernor.threadsFor(8, 8, 2.2));
        assertEquals(8, ThreadGovernor.threadsFor(8, 16, 7.0), "hyper-threads: 9 CPUs left for a ceiling of 8");
        assertEquals(4, ThreadGovernor.threadsFor(4, 16, 0.0), "never more than the ceiling");
    }

    @Test
    void llamaCppChangesItsThreadsBetweenGraphsAndTheTextStaysTheSame() {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        try (LlamaCppModel model = LlamaCppModel.load(GgufReader.read(FixtureModel.path()), TWO_THREADS)) {
            assertEquals(2, model.threadsInUse());
            String text = greedy(model);
            model.useThreads(1);
            assertEquals(text, greedy(model));
            assertEquals(1, model.threadsInUse(), "applied by llama.cpp's compute thread at its next graph");
            model.useThreads(2);
            assertEquals(text, greedy(model));
            assertEquals(2, model.threadsInUse(), "and back");
        }
    }

    @Test
    void theGovernorFollowsWhatOtherProcessesTake() throws Exception {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        SettableLoad load = new SettableLoad();
        ThreadGovernor governor = new ThreadGovernor(load, Duration.ofMillis(20));
        try (LlamaCppModel model = LlamaCppModel.load(GgufReader.read(FixtureModel.path()), TWO_THREADS)) {
            Runnable stop = governor.watch(model.binding(), 2);
            try {
                load.busy = 1.0;
                awaitThreads(model, 1);
                load.busy = 0.1;
                awaitThreads(model, 2);
            } finally {
                stop.run();
            }
        }
    }

    /** Generates (the change is applied inside a graph) until the model computes with {@code threads}. */
    private static void awaitThreads(LlamaCppModel model, int threads) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (model.threadsInUse() != threads && System.nanoTime() < deadline) {
            greedy(model);
            Thread.sleep(10);
        }
        assertEquals(threads, model.threadsInUse());
    }

    private static String greedy(LlamaCppModel model) {
        try (OpenAiCall call = model.openAi("/v1/completions",
                "{\"prompt\":\"Once upon a time\",\"max_tokens\":24,\"temperature\":0}")) {
            assertEquals(200, call.status(), call.body());
            return JSON.readTree(call.body()).at("/choices/0/text").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final class SettableLoad implements ThreadGovernor.Load {
        volatile double busy;

        @Override
        public Optional<Double> othersBusyCpus() {
            return Optional.of(busy);
        }

        @Override
        public int cpus() {
            return 2;
        }
    }
}
