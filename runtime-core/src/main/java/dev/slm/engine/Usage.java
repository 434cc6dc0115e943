package dev.slm.engine;

/** Tokens a generation consumed and produced. */
public record Usage(int promptTokens, int completionTokens) {
    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
