package dev.slm.cli;

import dev.slm.engine.Completion;
import java.time.Duration;
import java.util.Locale;

/** {@code --verbose}: how fast the prompt was read and the answer written, in one line on stderr. */
record AnswerStats(int promptTokens, double promptTokensPerSecond, int generatedTokens, double generatedTokensPerSecond,
                   Duration firstToken, Duration load) {

    static AnswerStats of(Completion c, Duration load) {
        // Time to first token is the prompt's processing plus one token: close enough for a rate.
        double ttft = c.timings().timeToFirstToken().toNanos() / 1e9;
        return new AnswerStats(c.usage().promptTokens(), ttft > 0 ? c.usage().promptTokens() / ttft : 0,
                c.usage().completionTokens(), c.timings().tokensPerSecond(), c.timings().timeToFirstToken(), load);
    }

    String line() {
        return String.format(Locale.ROOT, "prompt: %d tokens, %.1f tokens/s | generated: %d tokens, %.1f tokens/s"
                        + " | first token: %d ms | load: %d ms", promptTokens, promptTokensPerSecond, generatedTokens,
                generatedTokensPerSecond, firstToken.toMillis(), load.toMillis());
    }
}
