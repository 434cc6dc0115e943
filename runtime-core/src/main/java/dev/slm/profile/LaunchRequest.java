package dev.slm.profile;

import dev.slm.engine.ModelOptions;
import dev.slm.gguf.GgmlType;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the user asked for when opening a model; everything left out comes from the hardware profile.
 *
 * @param profile      a profile by name (else SLM_PROFILE, else detection)
 * @param contextSize  0 = planned
 * @param threads      0 = the profile's thread policy
 * @param batchSize    empty = the profile's
 * @param gpuLayers    empty = planned from the profile's policy; -1 = all
 * @param flashAttention empty = the profile's
 * @param kvCacheType  empty = the profile's
 */
public record LaunchRequest(Optional<String> profile, int contextSize, int threads, OptionalInt batchSize,
                            OptionalInt gpuLayers, Optional<Boolean> flashAttention, Optional<GgmlType> kvCacheType) {

    /** Without attention settings: the profile's flash attention and KV cache type (the command line's request). */
    public LaunchRequest(Optional<String> profile, int contextSize, int threads, OptionalInt batchSize, OptionalInt gpuLayers) {
        this(profile, contextSize, threads, batchSize, gpuLayers, Optional.empty(), Optional.empty());
    }

    public LaunchRequest {
        if (contextSize < 0) {
            throw new IllegalArgumentException("context size must be 0 (planned) or positive, got " + contextSize);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (from the profile) or positive, got " + threads);
        }
        if (batchSize.isPresent() && batchSize.getAsInt() < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize.getAsInt());
        }
        if (kvCacheType.isPresent() && !ModelOptions.KV_CACHE_TYPES.contains(kvCacheType.get())) {
            throw new IllegalArgumentException("KV cache type " + kvCacheType.get() + " is not one llama.cpp takes");
        }
        if (gpuLayers.isPresent() && gpuLayers.getAsInt() < -1) {
            throw new IllegalArgumentException("gpu layers must be -1 (all), 0 or positive, got " + gpuLayers.getAsInt());
        }
    }

    public static LaunchRequest automatic() {
        return new LaunchRequest(Optional.empty(), 0, 0, OptionalInt.empty(), OptionalInt.empty());
    }
}
