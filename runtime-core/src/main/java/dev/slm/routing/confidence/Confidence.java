package dev.slm.routing.confidence;

/**
 * How sure the local model is of its answer to a request.
 *
 * @param score       0 (no idea) to 1 (certain).
 * @param explanation how the score was found, for the route decision's reason.
 */
public record Confidence(double score, String explanation) {
    public Confidence {
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("a confidence score is between 0 and 1, got " + score);
        }
    }
}
