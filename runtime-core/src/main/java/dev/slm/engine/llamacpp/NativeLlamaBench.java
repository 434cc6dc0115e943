package dev.slm.engine.llamacpp;

import dev.slm.SlmException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * llama-bench's measurement loop run on llama.cpp's C API inside slm's own native library (the same
 * llama.cpp build slm runs on), with no binding, no server loop, no sampling and no Java between
 * tokens, and with llama.cpp's own context defaults (its thread pool and how it waits included).
 * Its numbers are what llama.cpp itself reaches on this machine: the difference to slm's is slm's
 * per-token overhead.
 *
 * <p>Mirrors llama-bench (tools/llama-bench): a prompt test decodes {@code n} random tokens in
 * batches, a generation test decodes {@code n} random tokens one at a time; each test gets its own
 * context, one unrecorded warm-up run (the whole prompt, or one token), and the KV cache is cleared
 * before each recorded run. The loop itself is C++ (jllama.cpp, {@code SlmNative.bench*}).
 *
 * <p>Run it in a process of its own: a second thread pool beside a loaded model's would distort both.
 */
public final class NativeLlamaBench implements AutoCloseable {
    private final long handle;
    private final long loadNanos;
    private boolean closed;

    private NativeLlamaBench(long handle, long loadNanos) {
        this.handle = handle;
        this.loadNanos = loadNanos;
    }

    /**
     * Loads {@code model} with llama.cpp's default model parameters (CPU, mmap).
     *
     * @param nativeLibraryDir a custom libjllama's directory (as the profile chose it), or empty for slm's own
     */
    public static NativeLlamaBench load(Path model, int threads, Optional<Path> nativeLibraryDir, boolean nativeLogs) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        LlamaNativeLibrary.load(nativeLibraryDir);
        if (!LlamaNativeLibrary.ownBuildLoaded()) {
            throw new SlmException("the llama.cpp baseline runs only on slm's own native library, not on "
                    + (nativeLibraryDir.isPresent() ? nativeLibraryDir.get() : NativeBuild.current().describe()));
        }
        if (!nativeLogs) {
            SlmNative.silenceLogs();
        }
        long start = System.nanoTime();
        long handle;
        try {
            handle = SlmNative.benchOpen(model.toString(), threads);
        } catch (RuntimeException e) {
            throw new SlmException("llama.cpp could not load " + model + " (run with -v to see why)");
        }
        return new NativeLlamaBench(handle, System.nanoTime() - start);
    }

    public long loadNanos() {
        return loadNanos;
    }

    /** llama-bench's pp test: nanoseconds of each recorded run of decoding {@code tokens} prompt tokens. */
    public long[] promptRuns(int tokens, int batch, int repetitions) {
        return run(() -> SlmNative.benchPrompt(handle, tokens, batch, repetitions));
    }

    /** llama-bench's tg test: nanoseconds of each recorded run of decoding {@code tokens} tokens one by one. */
    public long[] generationRuns(int tokens, int repetitions) {
        return run(() -> SlmNative.benchGenerate(handle, tokens, repetitions));
    }

    private long[] run(java.util.function.Supplier<long[]> test) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        try {
            return test.get();
        } catch (RuntimeException e) {
            throw new SlmException("llama.cpp failed in the benchmark: " + LlamaCppModel.oneLine(e.getMessage()));
        }
    }

    /** Frees the model (the C API, unlike the binding, does free it). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            SlmNative.benchClose(handle);
        }
    }
}
