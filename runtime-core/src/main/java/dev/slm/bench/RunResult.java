package dev.slm.bench;

/**
 * The measurements of one model, engine and thread count, taken in a process of their own.
 *
 * @param loadMillis    opening the model until it can answer (for slm: header check, load and its
 *                      one-token warm-up; for llama.cpp: llama_model_load_from_file)
 * @param peakRssBytes  the process's peak resident memory (VmHWM), -1 where the OS does not say
 * @param prompt        the pp test, or null when skipped
 * @param generation    the tg test, or null when skipped
 * @param threadWaiting how llama.cpp's OpenMP threads waited (OMP_WAIT_POLICY, GOMP_SPINCOUNT)
 */
public record RunResult(ModelSummary model, EngineUnderTest engine, int threads, double loadMillis, long peakRssBytes,
                        TestResult prompt, TestResult generation, String threadWaiting) {
}
