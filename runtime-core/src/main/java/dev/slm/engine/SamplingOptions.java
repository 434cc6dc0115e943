package dev.slm.engine;

import java.util.List;

/**
 * How tokens are chosen. Defaults are llama.cpp's own, so answers match what its users expect.
 *
 * @param maxTokens  tokens to generate at most; -1 = until end of text or a full context.
 * @param seed       -1 = random (or the model's seed when it was opened with one).
 * @param stop       strings that end the answer; they are not part of it.
 * @param grammar    GBNF grammar the answer must follow, or null.
 * @param jsonSchema JSON schema the answer must follow (turned into a grammar), or null.
 * @param ignoreEos  keep generating past the model's end-of-text token, up to {@code maxTokens}
 *                   (benchmarks: a fixed number of generated tokens whatever the model says).
 */
public record SamplingOptions(float temperature, int topK, float topP, float minP, float repeatPenalty,
                              int repeatLastN, long seed, int maxTokens, List<String> stop,
                              String grammar, String jsonSchema, boolean ignoreEos) {

    /** Stops at the model's end-of-text token. */
    public SamplingOptions(float temperature, int topK, float topP, float minP, float repeatPenalty,
                           int repeatLastN, long seed, int maxTokens, List<String> stop,
                           String grammar, String jsonSchema) {
        this(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, maxTokens, stop, grammar, jsonSchema, false);
    }

    public SamplingOptions {
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (temperature < 0 || Float.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be 0 or more, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be 0 (off) or more, got " + topK);
        }
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be between 0 and 1, got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("min_p must be between 0 and 1, got " + minP);
        }
        if (!(repeatPenalty > 0)) {
            throw new IllegalArgumentException("repeat penalty must be positive, got " + repeatPenalty);
        }
        if (maxTokens < -1 || maxTokens == 0) {
            throw new IllegalArgumentException("max tokens must be positive or -1 (no limit), got " + maxTokens);
        }
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("stop strings must not be empty");
        }
        if (grammar != null && jsonSchema != null) {
            throw new IllegalArgumentException("give either a grammar or a JSON schema, not both");
        }
    }

    public static SamplingOptions defaults() {
        return new SamplingOptions(0.8f, 40, 0.95f, 0.05f, 1.0f, 64, -1, -1, List.of(), null, null);
    }

    /** Deterministic: always the most likely token. */
    public static SamplingOptions greedy() {
        return defaults().withTemperature(0);
    }

    public SamplingOptions withTemperature(float v) {
        return new SamplingOptions(v, topK, topP, minP, repeatPenalty, repeatLastN, seed, maxTokens, stop, grammar, jsonSchema, ignoreEos);
    }

    public SamplingOptions withTopK(int v) {
        return new SamplingOptions(temperature, v, topP, minP, repeatPenalty, repeatLastN, seed, maxTokens, stop, grammar, jsonSchema, ignoreEos);
    }

    public SamplingOptions withTopP(float v) {
        return new SamplingOptions(temperature, topK, v, minP, repeatPenalty, repeatLastN, seed, maxTokens, stop, grammar, jsonSchema, ignoreEos);
    }

    public SamplingOptions withMinP(float v) {
        return new SamplingOptions(temperature, topK, topP, v, repeatPenalty, repeatLastN, seed, maxTokens, stop, grammar, jsonSchema, ignoreEos);
    }

    public SamplingOptions withRepeatPenalty(float v) {
        return new SamplingOptions(temperature, topK, topP, minP, v, repeatLastN, seed, maxTokens, stop, grammar, jsonSchema, ignoreEos);
    }

    public SamplingOptions withSeed(long v) {
        return new SamplingOptions(temperature, topK, topP, minP, repeatPenalty, repeatLastN, v, maxTokens, stop, grammar, jsonSchema, ignoreEos);
    }

    public SamplingOptions withMaxTokens(int v) {
        return new SamplingOptions(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, v, stop, grammar, jsonSchema, ignoreEos);
    }

    public SamplingOptions withStop(List<String> v) {
        return new SamplingOptions(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, maxTokens, v, grammar, jsonSchema, ignoreEos);
    }

    public SamplingOptions withGrammar(String v) {
        return new SamplingOptions(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, maxTokens, stop, v, null, ignoreEos);
    }

    public SamplingOptions withJsonSchema(String v) {
        return new SamplingOptions(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, maxTokens, stop, null, v, ignoreEos);
    }

    public SamplingOptions withIgnoreEos(boolean v) {
        return new SamplingOptions(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, maxTokens, stop, grammar, jsonSchema, v);
    }
}
