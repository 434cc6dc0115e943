package dev.slm.profile;

/** Bytes one memory (system or GPU) must hold for a model. */
public record MemoryEstimate(long weights, long kvCache, long compute) {
    public static final MemoryEstimate NONE = new MemoryEstimate(0, 0, 0);

    public long total() {
        return weights + kvCache + compute;
    }
}
