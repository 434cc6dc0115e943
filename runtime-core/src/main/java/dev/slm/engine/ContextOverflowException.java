package dev.slm.engine;

import dev.slm.SlmException;

/**
 * A conversation that no longer fits the context, with context shift off. Carries the numbers so
 * that a front end can say what to do in its own words (a command to forget the conversation...).
 */
public final class ContextOverflowException extends SlmException {
    private final int promptTokens;
    private final int contextSize;

    public ContextOverflowException(int promptTokens, int contextSize) {
        super("the conversation is " + promptTokens + " tokens, which leaves no room in the context of "
                + contextSize + " tokens: start a new conversation or raise the context size");
        this.promptTokens = promptTokens;
        this.contextSize = contextSize;
    }

    /** A prompt that does not fit, said as {@code message} (the server's: slm serve calls it a prompt). */
    public ContextOverflowException(String message, int promptTokens, int contextSize) {
        super(message);
        this.promptTokens = promptTokens;
        this.contextSize = contextSize;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int contextSize() {
        return contextSize;
    }
}
