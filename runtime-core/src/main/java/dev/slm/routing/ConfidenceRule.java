package dev.slm.routing;

import dev.slm.routing.confidence.SelfConsistencyProbe;

/**
 * Escalate when the local model's confidence is below {@code threshold}.
 *
 * @param threshold   0 to 1; 0 never escalates, 1 escalates unless the samples agree completely.
 * @param samples     samples the self-consistency probe takes.
 * @param tokens      tokens per sample.
 * @param temperature the samples' temperature.
 */
public record ConfidenceRule(double threshold, int samples, int tokens, float temperature) {
    public ConfidenceRule {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("the confidence threshold must be between 0 and 1, got " + threshold);
        }
    }

    public static ConfidenceRule below(double threshold) {
        return new ConfidenceRule(threshold, SelfConsistencyProbe.DEFAULT_SAMPLES, SelfConsistencyProbe.DEFAULT_TOKENS,
                SelfConsistencyProbe.DEFAULT_TEMPERATURE);
    }
}
