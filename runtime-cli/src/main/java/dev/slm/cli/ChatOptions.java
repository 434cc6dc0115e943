package dev.slm.cli;

import picocli.CommandLine.Option;

/** The flags of a conversation, shared by {@code chat} and by {@code run} (which chats when given no prompt). */
final class ChatOptions {
    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt that opens the conversation.")
    String systemPrompt;

    @Option(names = "--no-context-shift",
            description = "When the conversation outgrows the context, fail (then /reset) instead of dropping the oldest turns.")
    boolean noContextShift;

    @Option(names = "--verbose",
            description = "After each answer, print prompt and generated tokens, tokens/s, time to first token and load time (stderr).")
    boolean stats;
}
