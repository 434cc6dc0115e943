package dev.slm.engine;

import java.util.List;
import java.util.Locale;

/**
 * Ollama's parameter names ({@code /set parameter}, a Modelfile's {@code PARAMETER}) applied to
 * {@link SamplingOptions}: one place that knows what each name means and takes.
 */
public final class SamplingParameters {
    public static final List<String> NAMES =
            List.of("temperature", "top_k", "top_p", "min_p", "seed", "num_predict", "repeat_penalty", "repeat_last_n", "stop");

    private SamplingParameters() {
    }

    public static boolean known(String name) {
        return NAMES.contains(name.toLowerCase(Locale.ROOT));
    }

    /**
     * @param stop for {@code stop}: the stop strings that {@code value} stands for (a Modelfile's line
     *             is one string, a {@code /set} line one or more words)
     * @throws IllegalArgumentException naming the parameter and what it takes
     */
    public static SamplingOptions set(SamplingOptions s, String name, String value, List<String> stop) {
        String v = value.strip();
        if (v.isEmpty()) {
            throw new IllegalArgumentException("parameter " + name + " needs a value");
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
                case "repeat_last_n" -> new SamplingOptions(s.temperature(), s.topK(), s.topP(), s.minP(), s.repeatPenalty(),
                        Integer.parseInt(v), s.seed(), s.maxTokens(), s.stop(), s.grammar(), s.jsonSchema(), s.ignoreEos());
                case "stop" -> s.withStop(stop);
                default -> throw new IllegalArgumentException("unknown parameter " + name + "; one of " + String.join(", ", NAMES));
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " takes a number, got " + v);
        }
    }
}
