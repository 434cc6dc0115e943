package dev.slm.openai;

/**
 * Tokens one answer used.
 *
 * @param estimated true when the answerer reported none and they were estimated from the text
 *                  (see {@link OpenAiShape#estimateTokens}).
 */
public record TokenUsage(long promptTokens, long completionTokens, boolean estimated) {
}
