package dev.slm.engine;

/**
 * How a model is opened.
 *
 * @param contextSize  tokens one generation can see (prompt plus answer); 0 = the model's trained
 *                     length, capped at {@link #DEFAULT_CONTEXT_CAP}. With several {@code parallel}
 *                     slots each slot gets this many tokens.
 * @param threads      CPU threads for decoding and prompt processing; 0 = {@link #defaultThreads()}.
 *                     Never left to the binding, whose default over-subscribes small machines.
 * @param batchSize    tokens per prompt-processing batch.
 * @param gpuLayers    layers offloaded to a GPU; 0 = CPU only, -1 = all.
 * @param seed         sampling seed used when a request sets none; -1 = random.
 * @param parallel     concurrent generations (llama.cpp slots); more requests wait in its queue.
 * @param embeddings   open for {@link Model#embed(String)}.
 * @param nativeLogs   let llama.cpp print its own log lines (to stderr); off keeps stdout and stderr clean.
 */
public record ModelOptions(int contextSize, int threads, int batchSize, int gpuLayers, long seed,
                           int parallel, boolean embeddings, boolean nativeLogs) {

    public static final int DEFAULT_CONTEXT_CAP = 4096;

    public ModelOptions {
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
    }

    public static ModelOptions defaults() {
        return new ModelOptions(0, 0, 512, 0, -1, 1, false, false);
    }

    /**
     * One thread per available core. Measured on a 2-vCPU machine (docs/performance.md): with
     * llama.cpp's threads sleeping while they wait (OMP_WAIT_POLICY=PASSIVE, see OpenMpPolicy) two
     * threads keep the fixture model near 1 ms/token even on a loaded machine and make real-sized
     * models faster than one thread; with libgomp's spinning default the same two threads fell to
     * 25 tokens/s under load.
     */
    public static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    public int effectiveThreads() {
        return threads == 0 ? defaultThreads() : threads;
    }

    public ModelOptions withContextSize(int v) {
        return new ModelOptions(v, threads, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs);
    }

    public ModelOptions withThreads(int v) {
        return new ModelOptions(contextSize, v, batchSize, gpuLayers, seed, parallel, embeddings, nativeLogs);
    }

    public ModelOptions withBatchSize(int v) {
        return new ModelOptions(contextSize, threads, v, gpuLayers, seed, parallel, embeddings, nativeLogs);
    }

    public ModelOptions withGpuLayers(int v) {
        return new ModelOptions(contextSize, threads, batchSize, v, seed, parallel, embeddings, nativeLogs);
    }

    public ModelOptions withSeed(long v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, v, parallel, embeddings, nativeLogs);
    }

    public ModelOptions withParallel(int v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, v, embeddings, nativeLogs);
    }

    public ModelOptions withEmbeddings(boolean v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, parallel, v, nativeLogs);
    }

    public ModelOptions withNativeLogs(boolean v) {
        return new ModelOptions(contextSize, threads, batchSize, gpuLayers, seed, parallel, embeddings, v);
    }
}
