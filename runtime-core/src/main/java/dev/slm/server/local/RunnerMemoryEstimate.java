package dev.slm.server.local;

import dev.slm.engine.ModelOptions;
import dev.slm.gguf.GgufFile;

/**
 * What loading a model will cost in memory, from its GGUF header alone: the weights, a vision
 * projector's weights and the buffers it encodes an image in, the KV cache for every slot (f16 keys
 * and values, llama.cpp's default), the logits of a batch, and the runner's own JVM. An estimate,
 * meant to be on the safe side for the budget.
 */
public record RunnerMemoryEstimate(long weights, long projector, long kvCache, long compute, long runner) {
    /** A runner JVM with its small heap, JIT and llama.cpp's fixed buffers. */
    static final long RUNNER_OVERHEAD = 160L << 20; // measured: ~150 MiB RSS for a runner holding the fixture model

    public static RunnerMemoryEstimate of(GgufFile gguf, ModelOptions options) {
        long trained = gguf.contextLength().orElse((long) ModelOptions.DEFAULT_CONTEXT_CAP);
        long context = options.contextSize() == 0 ? Math.min(trained, ModelOptions.DEFAULT_CONTEXT_CAP) : options.contextSize();
        long layers = gguf.blockCount().orElse(32L);
        long embedding = gguf.embeddingLength().orElse(4096L);
        long heads = Math.max(1, gguf.headCount().orElse(32L));
        long kvHeads = gguf.headCountKv().orElse(heads);
        long kvWidth = embedding / heads * kvHeads;
        long kv = 2L * layers * context * options.parallel() * kvWidth * 2;
        long vocabulary = gguf.vocabularySize().orElse(32_000L);
        long compute = 4L * vocabulary * Math.max(options.batchSize(), options.parallel()) + 4L * embedding * options.batchSize() * 8;
        return new RunnerMemoryEstimate(gguf.tensorBytes(), projector(options), kv, compute, RUNNER_OVERHEAD);
    }

    /**
     * The projector file's size and half as much again for the activations of one image through the
     * vision encoder (llama.cpp allocates its compute buffer for the largest image when it loads).
     */
    static long projector(ModelOptions options) {
        return options.visionProjector().map(p -> {
            try {
                long size = java.nio.file.Files.size(p);
                return size + size / 2;
            } catch (java.io.IOException e) {
                return 0L;  // the load reports the missing file
            }
        }).orElse(0L);
    }

    public long total() {
        return weights + projector + kvCache + compute + runner;
    }

    public String describe() {
        return mib(total()) + " (weights " + mib(weights) + (projector > 0 ? ", vision projector " + mib(projector) : "")
                + ", KV cache " + mib(kvCache) + ", buffers " + mib(compute) + ", runner " + mib(runner) + ")";
    }

    public static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
