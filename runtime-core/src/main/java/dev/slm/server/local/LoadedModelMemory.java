package dev.slm.server.local;

import dev.slm.engine.ModelOptions;
import dev.slm.profile.MemoryEstimate;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Locale;

/**
 * What a served model takes from the memory budget: the system-memory part of the launch plan (the
 * one estimator, {@link dev.slm.profile.FitPlanner}: weights, KV cache, compute buffers), plus what
 * only a server has: a vision projector with the buffers it encodes an image in, and the runner's JVM.
 */
public record LoadedModelMemory(MemoryEstimate model, long projector, long draft, long runner) {
    /** A runner JVM with its small heap, JIT and llama.cpp's fixed buffers. */
    static final long RUNNER_OVERHEAD = 160L << 20; // measured: ~150 MiB RSS for a runner holding the fixture model

    public static LoadedModelMemory of(MemoryEstimate model, ModelOptions options) {
        return new LoadedModelMemory(model, projector(options), draft(options), RUNNER_OVERHEAD);
    }

    /** What the budget must keep for everything but the model itself. */
    static long besidesTheModel(ModelOptions options) {
        return projector(options) + draft(options) + RUNNER_OVERHEAD;
    }

    /**
     * A draft model (speculative decoding): its file, and a quarter as much again for its own KV cache
     * and buffers at the model's context (an estimate, not measured on a real pair: a draft is a
     * small model, whose cache is small beside its weights).
     */
    static long draft(ModelOptions options) {
        return options.draftModel().map(d -> {
            try {
                long size = Files.size(d.path());
                return size + size / 4;
            } catch (IOException e) {
                return 0L;  // the load reports the missing file
            }
        }).orElse(0L);
    }

    /**
     * The projector file's size and half as much again for the activations of one image through the
     * vision encoder (llama.cpp allocates its compute buffer for the largest image when it loads).
     */
    static long projector(ModelOptions options) {
        return options.visionProjector().map(p -> {
            try {
                long size = Files.size(p);
                return size + size / 2;
            } catch (IOException e) {
                return 0L;  // the load reports the missing file
            }
        }).orElse(0L);
    }

    public long total() {
        return model.total() + projector + draft + runner;
    }

    public String describe() {
        return mib(total()) + " (weights " + mib(model.weights()) + (projector > 0 ? ", vision projector " + mib(projector) : "")
                + (draft > 0 ? ", draft model " + mib(draft) : "")
                + ", KV cache " + mib(model.kvCache()) + ", buffers " + mib(model.compute()) + ", runner " + mib(runner) + ")";
    }

    public static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
