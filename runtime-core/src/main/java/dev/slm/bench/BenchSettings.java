package dev.slm.bench;

/**
 * What one benchmark measures, with llama-bench's meaning and defaults ({@code -p 512 -n 128 -r 5}).
 *
 * @param promptTokens     tokens of the prompt-processing test (pp); 0 skips it
 * @param generatedTokens  tokens of the generation test (tg); 0 skips it
 * @param repetitions      recorded runs of each test, after one unrecorded warm-up run
 * @param contextSize      context of slm's model; 0 = the model's default (llama.cpp's own baseline
 *                         gets a context of exactly the test's tokens, as llama-bench does)
 * @param batchSize        prompt-processing batch
 */
public record BenchSettings(int promptTokens, int generatedTokens, int repetitions, int contextSize, int batchSize) {

    public BenchSettings {
        if (promptTokens < 0 || generatedTokens < 0) {
            throw new IllegalArgumentException("token counts must be 0 (skip the test) or positive");
        }
        if (promptTokens == 0 && generatedTokens == 0) {
            throw new IllegalArgumentException("nothing to measure: give -p or -n a positive number of tokens");
        }
        if (generatedTokens == 1) {
            throw new IllegalArgumentException("the generation test needs at least 2 tokens (its rate is timed from the first)");
        }
        if (repetitions < 1) {
            throw new IllegalArgumentException("repetitions must be at least 1, got " + repetitions);
        }
        if (contextSize < 0 || batchSize < 1) {
            throw new IllegalArgumentException("context must be 0 (model default) or positive, batch positive");
        }
    }

    public static BenchSettings defaults() {
        return new BenchSettings(512, 128, 5, 0, 512);
    }
}
