package dev.slm.cli;

import dev.slm.engine.SamplingOptions;
import dev.slm.engine.SamplingParameters;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** {@code /set parameter NAME VALUE}: Ollama's parameter names, applied to the sampling options. */
final class ChatParameters {
    static final List<String> NAMES = SamplingParameters.NAMES;

    private ChatParameters() {
    }

    /**
     * @param value the rest of the line; for {@code stop}, one or more words, each a stop string
     * @throws IllegalArgumentException naming the parameter and what it takes
     */
    static SamplingOptions set(SamplingOptions s, String name, String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException("/set parameter " + name + " needs a value");
        }
        return SamplingParameters.set(s, name, value, Arrays.asList(value.strip().split("\\s+")));
    }

    /** The values in force, one per line, as /set would take them. */
    static String show(SamplingOptions s) {
        return String.format(Locale.ROOT, "temperature     %s%ntop_k           %d%ntop_p           %s%nmin_p           %s%n"
                        + "seed            %d%nnum_predict     %d%nrepeat_penalty  %s%nstop            %s",
                s.temperature(), s.topK(), s.topP(), s.minP(), s.seed(), s.maxTokens(), s.repeatPenalty(),
                s.stop().isEmpty() ? "(none)" : String.join(" ", s.stop()));
    }
}
