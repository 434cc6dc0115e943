package dev.slm.bench;

/**
 * One test of a run, named as llama-bench names it ({@code pp512}, {@code tg128}).
 *
 * @param tokens           tokens each recorded run processed (the least, if runs differed)
 * @param tokensPerSecond  one sample per recorded run
 * @param timeToFirstTokenMillis  prompt test through slm only: request to first streamed token
 */
public record TestResult(String name, int tokens, Summary tokensPerSecond, Summary timeToFirstTokenMillis) {

    /** Milliseconds per token at the median rate. */
    public double millisPerToken() {
        return 1000 / tokensPerSecond.median();
    }
}
