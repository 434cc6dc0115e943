package dev.slm.cli;

import dev.slm.engine.SamplingOptions;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** {@code /set parameter NAME VALUE}: Ollama's parameter names, applied to the sampling options. */
final class ChatParameters {
    static final List<String> NAMES =
            List.of("temperature", "top_k", "top_p", "min_p", "seed", "num_predict", "repeat_penalty", "stop");

    private ChatParameters() {
    }

    /**
     * @param value the rest of the line; for {@code stop}, one or more words, each a stop string
     * @throws IllegalArgumentException naming the parameter and what it takes
     */
    static SamplingOptions set(SamplingOptions s, String name, String value) {
        String v = value.strip();
        if (v.isEmpty()) {
            throw new IllegalArgumentException("/set parameter " + name + " needs a value");
        }
        try {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "temperature" -> s.withTemperature(Float.parseFloat(v));
                case "top_k" -> s.withTopK(Integer.parseInt(v));
                case "top_p" -> s.withTopP(Float.parseFloat(v));
                case "min_p" -> s.withMinP(Float.parseFloat(v));
                case "seed" -> s.withSeed(Long.parseLong(v));
                case "num_predict" -> s.withMaxTokens(Integer.parseInt(v));
                case "repeat_penalty" -> s.withRepeatPenalty(Float.parseFloat(v));
                case "stop" -> s.withStop(Arrays.asList(v.split("\\s+")));
                default -> throw new IllegalArgumentException("unknown parameter " + name + "; one of " + String.join(", ", NAMES));
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " takes a number, got " + v);
        }
    }

    /** The values in force, one per line, as /set would take them. */
    static String show(SamplingOptions s) {
        return String.format(Locale.ROOT, "temperature     %s%ntop_k           %d%ntop_p           %s%nmin_p           %s%n"
                        + "seed            %d%nnum_predict     %d%nrepeat_penalty  %s%nstop            %s",
                s.temperature(), s.topK(), s.topP(), s.minP(), s.seed(), s.maxTokens(), s.repeatPenalty(),
                s.stop().isEmpty() ? "(none)" : String.join(" ", s.stop()));
    }
}
