package dev.slm.engine;

import dev.slm.gguf.GgmlType;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How a model is opened.
 *
 * @param contextSize      tokens one generation can see (prompt plus answer); 0 = the model's trained
 *                         length, capped at {@link #DEFAULT_CONTEXT_CAP}. With several {@code parallel}
 *                         slots each slot gets this many tokens.
 * @param threads          CPU threads for decoding and prompt processing; 0 = {@link #defaultThreads()}.
 *                         Never left to the binding, whose default over-subscribes small machines.
 * @param batchSize        tokens per prompt-processing batch.
 * @param gpuLayers        layers offloaded to a GPU; 0 = CPU only, -1 = all.
 * @param seed             sampling seed used when a request sets none; -1 = random.
 * @param parallel         concurrent generations (llama.cpp slots); more requests wait in its queue.
 * @param embeddings       open for {@link Model#embed(String)}.
 * @param nativeLogs       let llama.cpp print its own log lines (to stderr); off keeps stdout and stderr clean.
 * @param ubatchSize       tokens per physical batch (llama.cpp's ubatch); 0 = the batch size, at most 512.
 * @param flashAttention   force llama.cpp's flash attention kernels on; false leaves llama.cpp's own
 *                         choice ("auto": on where the backend has the kernels, the CPU included).
 * @param kvCacheType      element type of the KV cache: F16 (default), F32, BF16, or a quantized type
 *                         (Q8_0, Q4_0, Q4_1, IQ4_NL, Q5_0, Q5_1), which needs flash attention.
 * @param mmap             map the model file instead of reading it into memory.
 * @param mlock            lock the model's memory so that the system never swaps it out.
 * @param nativeLibraryDir a directory holding a libjllama built by the user, or a folder holding ggml GPU
 *                         plug-ins (libggml-cuda.so...) to load beside slm's own build; null = slm's own
 *                         build on the CPU (else the library bundled in java-llama.cpp). One per process:
 *                         the first model opened decides.
 * @param projector        a vision projector (an "mmproj" GGUF file) to open beside the model, so that
 *                         chat messages can carry images ({@link ChatImage}); null = text only.
 * @param adapters         LoRA adapters applied to the weights, in order; empty = the model as it is.
 * @param chatTemplate     a Jinja chat template used instead of the file's own (a variant's TEMPLATE);
 *                         null = the file's.
 * @param draft            a small model that drafts tokens for this one to verify (speculative
 *                         decoding), or {@code null}
 * @param adaptThreads     {@code threads} is a ceiling: while other processes keep cores busy, compute
 *                         with fewer (slm's own library on Linux; see ThreadGovernor). Set when the
 *                         count comes from the hardware profile, not from the user.
 */
public record ModelOptions(int contextSize, int threads, int batchSize, int gpuLayers, long seed,
                           int parallel, boolean embeddings, boolean nativeLogs, int ubatchSize,
                           boolean flashAttention, GgmlType kvCacheType, boolean mmap, boolean mlock,
                           Path nativeLibraryDir, Path projector, List<LoraAdapter> adapters,
                           String chatTemplate, DraftModel draft, boolean adaptThreads) {

    public static final int DEFAULT_CONTEXT_CAP = 4096;

    /**
     * The context a model was trained for, as its header declares it; {@link #DEFAULT_CONTEXT_CAP}
     * for one that does not say (the most it is safe to assume). The one fallback: the engine, the
     * planner and the server all use it.
     */
    public static long trainedContext(java.util.Optional<Long> declared) {
        return declared.orElse((long) DEFAULT_CONTEXT_CAP);
    }

    /** The one default-context rule: the model's trained context, at most {@code cap} tokens. */
    public static int defaultContextSize(java.util.Optional<Long> declared, int cap) {
        return (int) Math.min(trainedContext(declared), cap);
    }

    /** The types llama.cpp accepts for its KV cache. */
    public static final Set<GgmlType> KV_CACHE_TYPES = Set.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16,
            GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.IQ4_NL, GgmlType.Q5_0, GgmlType.Q5_1);

    public ModelOptions {
        adapters = adapters == null ? List.of() : List.copyOf(adapters);
        if (contextSize < 0) {
            throw new IllegalArgumentException("context size must be 0 (model default) or positive, got " + contextSize);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (automatic) or positive, got " + threads);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        if (gpuLayers < -1) {
            throw new IllegalArgumentException("gpu layers must be -1 (all), 0 or positive, got " + gpuLayers);
        }
        if (parallel < 1) {
            throw new IllegalArgumentException("parallel slots must be at least 1, got " + parallel);
        }
        if (ubatchSize < 0 || ubatchSize > batchSize) {
            throw new IllegalArgumentException("ubatch size must be 0 (automatic) or between 1 and the batch size ("
                    + batchSize + "), got " + ubatchSize);
        }
        if (kvCacheType == null || !KV_CACHE_TYPES.contains(kvCacheType)) {
            throw new IllegalArgumentException("KV cache type must be one of F16, F32, BF16, Q8_0, Q4_0, Q4_1, IQ4_NL, Q5_0, Q5_1, got "
                    + kvCacheType);
        }
        if (!flashAttention && kvCacheType.blockSize() > 1) {
            throw new IllegalArgumentException("a quantized KV cache (" + kvCacheType
                    + ") needs flash attention: enable flash attention or use F16");
        }
    }

    /** With the thread count fixed. */
    public ModelOptions(int contextSize, int threads, int batchSize, int gpuLayers, long seed, int parallel,
                        boolean embeddings, boolean nativeLogs, int ubatchSize, boolean flashAttention,
                        GgmlType kvCacheType, boolean mmap, boolean mlock, Path nativeLibraryDir, Path projector,
                        List<LoraAdapter> adapters, String chatTemplate, DraftModel draft) {
        this(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs, ubatchSize,
                flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, projector, adapters, chatTemplate, draft, false);
    }

    /** Without LoRA adapters. */
    public ModelOptions(int contextSize, int threads, int batchSize, int gpuLayers, long seed, int parallel,
                        boolean embeddings, boolean nativeLogs, int ubatchSize, boolean flashAttention,
                        GgmlType kvCacheType, boolean mmap, boolean mlock, Path nativeLibraryDir, Path projector) {
        this(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs, ubatchSize,
                flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, projector, List.of(), null, null);
    }

    /** The options slm had before hardware profiles; the rest take their defaults. */
    public ModelOptions(int contextSize, int threads, int batchSize, int gpuLayers, long seed, int parallel,
                        boolean embeddings, boolean nativeLogs) {
        this(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs, 0, false,
                GgmlType.F16, true, false, null, null);
    }

    public static ModelOptions defaults() {
        return new ModelOptions(0, 0, 512, 0, -1, 1, false, false);
    }

    /**
     * One thread per available CPU: the Java API's fallback when nothing chose a count. Commands and
     * the server take theirs from the hardware profile (one per physical core, LaunchPlanner), which
     * also lets the count fall while other processes keep cores busy ({@link #adaptThreads()}).
     */
    public static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    public int effectiveThreads() {
        return threads == 0 ? defaultThreads() : threads;
    }

    public int effectiveUbatchSize() {
        return ubatchSize == 0 ? Math.min(batchSize, 512) : ubatchSize;
    }

    /** The custom native library directory, or empty for the bundled CPU library. */
    public Optional<Path> customNativeLibrary() {
        return Optional.ofNullable(nativeLibraryDir);
    }

    public ModelOptions withContextSize(int v) {
        return new ModelOptions(v, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs,
                ubatchSize, flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, projector, adapters, chatTemplate, draft, adaptThreads);
    }

    public ModelOptions withThreads(int v) {
        return new ModelOptions(contextSize, v, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs,
                ubatchSize, flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, projector, adapters, chatTemplate, draft, adaptThreads);
    }

    /** Also lowers the ubatch size when it would exceed the new batch size. */
    public ModelOptions withBatchSize(int v) {
        return new ModelOptions(contextSize, threads, v, gpuLayers, seed, parallel, embeddings, nativeLogs,
                Math.min(ubatchSize, Math.max(v, 0)), flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, projector, adapters, chatTemplate, draft, adaptThreads);
    }

    public ModelOptions withGpuLayers(int v) {
        return new ModelOptions(contextSize, threads, batchSize, v, seed, parallel, embeddings, nativeLogs,
                ubatchSize, flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, projector, adapters, chatTemplate, draft, adaptThreads);
    }

    public ModelOptions withSeed(long v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, v, parallel, embeddings, nativeLogs,
                ubatchSize, flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, projector, adapters, chatTemplate, draft, adaptThreads);
    }

    public ModelOptions withParallel(int v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, v, embeddings, nativeLogs,
                ubatchSize, flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, projector, adapters, chatTemplate, draft, adaptThreads);
    }

    public ModelOptions withEmbeddings(boolean v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, parallel, v, nativeLogs,
                ubatchSize, flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, projector, adapters, chatTemplate, draft, adaptThreads);
    }

    public ModelOptions withNativeLogs(boolean v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, v,
                ubatchSize, flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, projector, adapters, chatTemplate, draft, adaptThreads);
    }

    public ModelOptions withUbatchSize(int v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs,
                v, flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, projector, adapters, chatTemplate, draft, adaptThreads);
    }

    public ModelOptions withFlashAttention(boolean v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs,
                ubatchSize, v, kvCacheType, mmap, mlock, nativeLibraryDir, projector, adapters, chatTemplate, draft, adaptThreads);
    }

    public ModelOptions withKvCacheType(GgmlType v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs,
                ubatchSize, flashAttention, v, mmap, mlock, nativeLibraryDir, projector, adapters, chatTemplate, draft, adaptThreads);
    }

    public ModelOptions withMmap(boolean v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs,
                ubatchSize, flashAttention, kvCacheType, v, mlock, nativeLibraryDir, projector, adapters, chatTemplate, draft, adaptThreads);
    }

    public ModelOptions withMlock(boolean v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs,
                ubatchSize, flashAttention, kvCacheType, mmap, v, nativeLibraryDir, projector, adapters, chatTemplate, draft, adaptThreads);
    }

    /** {@code null} = text only. */
    public ModelOptions withProjector(Path v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs,
                ubatchSize, flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, v, adapters, chatTemplate, draft, adaptThreads);
    }

    /** The vision projector, or empty for a text-only model. */
    public Optional<Path> visionProjector() {
        return Optional.ofNullable(projector);
    }

    /** {@code null} = the bundled CPU library. */
    public ModelOptions withNativeLibraryDir(Path v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs,
                ubatchSize, flashAttention, kvCacheType, mmap, mlock, v, projector, adapters, chatTemplate, draft, adaptThreads);
    }

    public ModelOptions withAdapters(List<LoraAdapter> v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs,
                ubatchSize, flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, projector, v, chatTemplate, draft, adaptThreads);
    }

    /** {@code null} = the file's own chat template. */
    public ModelOptions withChatTemplate(String v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs,
                ubatchSize, flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, projector, adapters, v, draft, adaptThreads);
    }

    /** {@code null} = no speculative decoding. */
    public ModelOptions withDraft(DraftModel v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs,
                ubatchSize, flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, projector, adapters, chatTemplate, v, adaptThreads);
    }

    public ModelOptions withAdaptThreads(boolean v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs,
                ubatchSize, flashAttention, kvCacheType, mmap, mlock, nativeLibraryDir, projector, adapters, chatTemplate, draft, v);
    }

    /** The draft model for speculative decoding, or empty. */
    public Optional<DraftModel> draftModel() {
        return Optional.ofNullable(draft);
    }
}
