package dev.slm.profile;

import dev.slm.engine.ModelOptions;
import dev.slm.gguf.GgmlType;
import dev.slm.hardware.CpuFacts;
import java.util.Locale;

/**
 * How models are opened under a profile, unless the command line says otherwise.
 *
 * @param threads           how many CPU threads, as a rule over the detected cores
 * @param adaptThreads      compute with fewer of them while other processes keep cores busy
 *                          (ModelOptions#adaptThreads); a count given by the user stays fixed
 * @param gpuLayers         none, all, or fit (as many as the GPU's free memory holds)
 * @param gpuMemory         none (CPU only), dedicated (a discrete GPU's own memory, from NVML) or
 *                          unified (GPU and CPU share the system memory: Apple Silicon, Jetson)
 * @param kvCacheType       f16, q8_0... (see {@link ModelOptions#KV_CACHE_TYPES})
 * @param contextCap        the largest context chosen when the command line gives none
 * @param memoryReserveMiB  system memory left to everything else
 * @param gpuReserveMiB     GPU memory left to the driver (CUDA context, cuBLAS workspace)
 */
public record Tuning(ThreadPolicy threads, boolean adaptThreads, int batch, int ubatch, GpuLayerPolicy gpuLayers, GpuMemory gpuMemory,
                     boolean flashAttention, String kvCacheType, boolean mmap, boolean mlock, int contextCap,
                     int memoryReserveMiB, int gpuReserveMiB) {

    public enum ThreadPolicy {
        /** One per physical core: hyper-threads share a core's vector units. */
        PHYSICAL_CORES,
        /** One per fast core on big.LITTLE chips; physical cores elsewhere. */
        PERFORMANCE_CORES,
        /** One per hardware thread. */
        LOGICAL_CORES
    }

    public enum GpuLayerPolicy {
        NONE, ALL, FIT
    }

    public enum GpuMemory {
        NONE,
        DEDICATED,
        UNIFIED,
        /** A GPU whose free memory slm cannot read before ggml opens it (Vulkan): planned as unified, against system memory. */
        UNMEASURED
    }

    public Tuning {
        if (threads == null || gpuLayers == null) {
            throw new IllegalArgumentException("tuning.threads and tuning.gpu_layers must be given");
        }
        gpuMemory = gpuMemory == null ? (gpuLayers == GpuLayerPolicy.NONE ? GpuMemory.NONE : GpuMemory.DEDICATED) : gpuMemory;
        if (gpuLayers != GpuLayerPolicy.NONE && gpuMemory == GpuMemory.NONE) {
            throw new IllegalArgumentException("tuning.gpu_layers " + gpuLayers.name().toLowerCase(Locale.ROOT)
                    + " needs tuning.gpu_memory dedicated, unified or unmeasured");
        }
        if (batch < 1 || ubatch < 1 || ubatch > batch) {
            throw new IllegalArgumentException("tuning.batch and tuning.ubatch must be positive, ubatch at most batch; got "
                    + batch + " and " + ubatch);
        }
        if (contextCap < 256) {
            throw new IllegalArgumentException("tuning.context_cap must be at least 256, got " + contextCap);
        }
        if (memoryReserveMiB < 0 || gpuReserveMiB < 0) {
            throw new IllegalArgumentException("tuning.memory_reserve_mib and tuning.gpu_reserve_mib must not be negative");
        }
        kvCacheType = kvCacheType == null ? "f16" : kvCacheType.toLowerCase(Locale.ROOT);
        // Checks the type and that a quantized cache comes with flash attention.
        new ModelOptions(0, 0, batch, 0, -1, 1, false, false, ubatch, flashAttention, kvCache(kvCacheType), mmap, mlock, null, null);
    }

    public GgmlType kvCache() {
        return kvCache(kvCacheType);
    }

    private static GgmlType kvCache(String name) {
        for (GgmlType t : ModelOptions.KV_CACHE_TYPES) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("tuning.kv_cache_type must be one of f16, f32, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1, got " + name);
    }

    /** Threads this policy gives on this CPU, within the cgroup's CPU quota. */
    public int threadsFor(CpuFacts cpu) {
        int wanted = switch (threads) {
            case PHYSICAL_CORES -> cpu.physical();
            case PERFORMANCE_CORES -> cpu.performanceCores();
            case LOGICAL_CORES -> cpu.logical();
        };
        return cpu.withinQuota(wanted);
    }
}
