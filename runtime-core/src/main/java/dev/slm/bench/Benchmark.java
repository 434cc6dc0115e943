package dev.slm.bench;

import dev.slm.engine.Completion;
import dev.slm.engine.Model;
import dev.slm.engine.ModelOptions;
import dev.slm.engine.SamplingOptions;
import dev.slm.engine.llamacpp.NativeLlamaBench;
import dev.slm.engine.llamacpp.OpenMpPolicy;
import dev.slm.gguf.GgufFile;

/**
 * Measures one model with one engine and thread count, in this process. Run each configuration in
 * a fresh process: the binding never frees a model, the peak memory is per process, and llama.cpp's
 * OpenMP thread teams of earlier runs would linger beside the measured one.
 *
 * <p>Definitions follow llama-bench so that numbers compare: pp = prompt tokens per second of
 * processing an N-token prompt (for slm: N / time to first token, so it includes tokenizing, the
 * request and sampling the first token); tg = generated tokens per second, one token at a time (for
 * slm: tokens after the first / time from the first to the last, as a streaming consumer sees them,
 * with end-of-text ignored so that every run generates N tokens). Each test gets one unrecorded
 * warm-up run.
 */
public final class Benchmark {
    /** The generation test's prompt: short, so that the test measures decoding only. */
    static final String GENERATION_PROMPT = "Once upon a time";

    private Benchmark() {
    }

    /**
     * @param options how {@code slm run} would open the model (the hardware profile's plan, see
     *                {@code dev.slm.profile.LaunchPlanner}): the slm engine opens it so; the llama.cpp
     *                engine takes its thread count, native library and native logging
     */
    public static RunResult run(GgufFile gguf, EngineUnderTest engine, ModelOptions options, BenchSettings settings) {
        return switch (engine) {
            case SLM -> slm(gguf, options, settings);
            case LLAMA_CPP -> llamaCpp(gguf, options, settings);
        };
    }

    private static RunResult slm(GgufFile gguf, ModelOptions options, BenchSettings s) {
        int threads = options.effectiveThreads();
        long start = System.nanoTime();
        Model model = Model.open(gguf, options);
        double loadMillis = (System.nanoTime() - start) / 1e6;
        TestResult prompt = null;
        TestResult generation = null;
        if (s.promptTokens() > 0) {
            PromptText prompts = new PromptText(model::countTokens);
            SamplingOptions oneToken = SamplingOptions.greedy().withMaxTokens(1);
            consume(model, prompts.of(s.promptTokens(), -1), oneToken);
            double[] rates = new double[s.repetitions()];
            long[] ttft = new long[s.repetitions()];
            int tokens = Integer.MAX_VALUE;
            for (int r = 0; r < s.repetitions(); r++) {
                String text = prompts.of(s.promptTokens(), r);
                int n = model.countTokens(text);
                ttft[r] = consume(model, text, oneToken).timings().timeToFirstToken().toNanos();
                rates[r] = n / (ttft[r] / 1e9);
                tokens = Math.min(tokens, n);
            }
            prompt = new TestResult("pp" + s.promptTokens(), tokens, Summary.of(rates), Summary.scaled(1e-6, ttft));
        }
        if (s.generatedTokens() > 0) {
            SamplingOptions sampling = SamplingOptions.greedy().withIgnoreEos(true);
            consume(model, GENERATION_PROMPT, sampling.withMaxTokens(2));
            double[] rates = new double[s.repetitions()];
            int tokens = Integer.MAX_VALUE;
            for (int r = 0; r < s.repetitions(); r++) {
                Completion c = consume(model, GENERATION_PROMPT, sampling.withMaxTokens(s.generatedTokens()));
                int generated = c.usage().completionTokens();
                long decoding = c.timings().total().minus(c.timings().timeToFirstToken()).toNanos();
                rates[r] = generated > 1 ? (generated - 1) / (decoding / 1e9) : 0;
                tokens = Math.min(tokens, generated);
            }
            generation = new TestResult("tg" + s.generatedTokens(), tokens, Summary.of(rates), null);
        }
        return new RunResult(ModelSummary.of(gguf), EngineUnderTest.SLM, threads, loadMillis, Machine.peakRssBytes(),
                prompt, generation, OpenMpPolicy.effective());
    }

    /** Streams a generation to a consumer that drops the text, as a chat client would print it. */
    private static Completion consume(Model model, String prompt, SamplingOptions sampling) {
        return model.generate(prompt, sampling).forEachToken(piece -> { });
    }

    private static RunResult llamaCpp(GgufFile gguf, ModelOptions options, BenchSettings s) {
        int threads = options.effectiveThreads();
        try (NativeLlamaBench bench = NativeLlamaBench.load(gguf.path(), threads, options.customNativeLibrary(),
                options.nativeLogs())) {
            TestResult prompt = s.promptTokens() == 0 ? null : new TestResult("pp" + s.promptTokens(), s.promptTokens(),
                    Summary.rates(s.promptTokens(), bench.promptRuns(s.promptTokens(), s.batchSize(), s.repetitions())), null);
            TestResult generation = s.generatedTokens() == 0 ? null : new TestResult("tg" + s.generatedTokens(),
                    s.generatedTokens(), Summary.rates(s.generatedTokens(), bench.generationRuns(s.generatedTokens(), s.repetitions())), null);
            return new RunResult(ModelSummary.of(gguf), EngineUnderTest.LLAMA_CPP, threads, bench.loadNanos() / 1e6,
                    Machine.peakRssBytes(), prompt, generation, OpenMpPolicy.effective());
        }
    }
}
