package dev.slm.engine.llamacpp;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import dev.slm.SlmException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;

/**
 * llama-bench's measurement loop run on llama.cpp's C API inside the binding's own native library
 * (the same b4916 build slm runs on), with no binding, no server loop, no sampling and no Java
 * between tokens. Its numbers are what llama.cpp itself reaches on this machine: the difference to
 * slm's is slm's per-token overhead.
 *
 * <p>Mirrors llama-bench (examples/llama-bench) of b4916: a prompt test decodes {@code n} random
 * tokens in batches, a generation test decodes {@code n} random tokens one at a time; each test gets
 * its own context of {@code n} tokens, one unrecorded warm-up run (the whole prompt, or one token),
 * and the KV cache is cleared before each recorded run.
 *
 * <p>Run it in a process of its own: llama.cpp's OpenMP thread team is tied to the calling thread,
 * and a second team beside the binding's would distort both.
 */
public final class NativeLlamaBench implements AutoCloseable {
    /** Larger than llama_model_params and llama_context_params of b4916 (about 72 and 120 bytes). */
    private static final int PARAMS_BYTES = 512;

    private final LlamaApi api;
    private final Pointer model;
    private final int vocabulary;
    private final int bos;
    private final boolean addBos;
    private final int threads;
    private final long loadNanos;
    private final Random random = new Random(1234);
    /** One batch reused for every call: a JNA structure costs more to create than the tiny model's decode. */
    private final Batch batch = new Batch();

    /** A C struct passed and returned by value, as raw bytes: only a few leading fields are touched. */
    @Structure.FieldOrder({"bytes"})
    public static class Params extends Structure implements Structure.ByValue {
        public byte[] bytes = new byte[PARAMS_BYTES];

        ByteBuffer buffer() {
            return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        }
    }

    /** struct llama_batch; llama_batch_get_one fills only the token pointer and the count. */
    @Structure.FieldOrder({"n_tokens", "token", "embd", "pos", "n_seq_id", "seq_id", "logits"})
    public static class Batch extends Structure implements Structure.ByValue {
        public int n_tokens;
        public Pointer token;
        public Pointer embd;
        public Pointer pos;
        public Pointer n_seq_id;
        public Pointer seq_id;
        public Pointer logits;
    }

    /** ggml_log_callback. */
    public interface LogCallback extends Callback {
        void invoke(int level, Pointer text, Pointer userData);
    }

    /** The functions of llama.h (b4916) that llama-bench uses. */
    public interface LlamaApi extends Library {
        void llama_backend_init();

        void llama_log_set(LogCallback callback, Pointer userData);

        Params llama_model_default_params();

        Params llama_context_default_params();

        Pointer llama_model_load_from_file(String path, Params params);

        Pointer llama_init_from_model(Pointer model, Params params);

        Pointer llama_model_get_vocab(Pointer model);

        int llama_vocab_n_tokens(Pointer vocab);

        int llama_vocab_bos(Pointer vocab);

        byte llama_vocab_get_add_bos(Pointer vocab);

        int llama_decode(Pointer ctx, Batch batch);

        void llama_synchronize(Pointer ctx);

        void llama_kv_self_clear(Pointer ctx);

        void llama_free(Pointer ctx);

        void llama_model_free(Pointer model);
    }

    private static final LogCallback SILENT = (level, text, userData) -> { };

    private NativeLlamaBench(LlamaApi api, Pointer model, int threads, long loadNanos) {
        this.api = api;
        this.model = model;
        this.threads = threads;
        this.loadNanos = loadNanos;
        Pointer vocab = api.llama_model_get_vocab(model);
        this.vocabulary = api.llama_vocab_n_tokens(vocab);
        this.bos = api.llama_vocab_bos(vocab);
        this.addBos = api.llama_vocab_get_add_bos(vocab) != 0;
    }

    /** Loads {@code model} with llama.cpp's default model parameters (CPU, mmap). */
    /** @param nativeLibraryDir a custom libjllama's directory (as the profile chose it), or empty for the bundled one */
    public static NativeLlamaBench load(Path model, int threads, Optional<Path> nativeLibraryDir, boolean nativeLogs) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        Path dir = LlamaNativeLibrary.load(nativeLibraryDir);
        LlamaApi api = Native.load(dir.resolve(System.mapLibraryName("jllama")).toString(), LlamaApi.class);
        if (!nativeLogs) {
            api.llama_log_set(SILENT, null);
        }
        api.llama_backend_init();
        long start = System.nanoTime();
        Pointer m = api.llama_model_load_from_file(model.toString(), api.llama_model_default_params());
        if (m == null) {
            throw new SlmException("llama.cpp could not load " + model + " (run with -v to see why)");
        }
        return new NativeLlamaBench(api, m, threads, System.nanoTime() - start);
    }

    public long loadNanos() {
        return loadNanos;
    }

    /** llama-bench's pp test: nanoseconds of each recorded run of decoding {@code tokens} prompt tokens. */
    public long[] promptRuns(int tokens, int batch, int repetitions) {
        Pointer ctx = context(tokens, batch);
        try {
            Memory buffer = new Memory(4L * Math.min(tokens, batch));
            prompt(ctx, tokens, batch, buffer);
            long[] runs = new long[repetitions];
            for (int r = 0; r < repetitions; r++) {
                api.llama_kv_self_clear(ctx);
                long start = System.nanoTime();
                prompt(ctx, tokens, batch, buffer);
                runs[r] = System.nanoTime() - start;
            }
            return runs;
        } finally {
            api.llama_free(ctx);
        }
    }

    /** llama-bench's tg test: nanoseconds of each recorded run of decoding {@code tokens} tokens one by one. */
    public long[] generationRuns(int tokens, int repetitions) {
        Pointer ctx = context(tokens, 512);
        try {
            Memory buffer = new Memory(4);
            generate(ctx, 1, buffer);
            long[] runs = new long[repetitions];
            for (int r = 0; r < repetitions; r++) {
                api.llama_kv_self_clear(ctx);
                long start = System.nanoTime();
                generate(ctx, tokens, buffer);
                runs[r] = System.nanoTime() - start;
            }
            return runs;
        } finally {
            api.llama_free(ctx);
        }
    }

    private Pointer context(int contextSize, int batch) {
        Params p = api.llama_context_default_params();
        ByteBuffer b = p.buffer();
        // The leading fields of llama_context_params: n_ctx, n_batch, n_ubatch, n_seq_max,
        // n_threads, n_threads_batch (uint32/int32). Their defaults prove the layout.
        if (b.getInt(4) != 2048 || b.getInt(8) != 512 || b.getInt(12) != 1) {
            throw new SlmException("this native library's llama_context_params is not laid out as in llama.cpp b4916:"
                    + " the llama.cpp baseline cannot run with it");
        }
        b.putInt(0, contextSize).putInt(4, batch).putInt(8, Math.min(batch, 512)).putInt(16, threads).putInt(20, threads);
        Pointer ctx = api.llama_init_from_model(model, p);
        if (ctx == null) {
            throw new SlmException("llama.cpp could not create a context of " + contextSize + " tokens");
        }
        return ctx;
    }

    private void prompt(Pointer ctx, int tokens, int batch, Memory buffer) {
        int processed = 0;
        while (processed < tokens) {
            int n = Math.min(tokens - processed, batch);
            int[] ids = new int[n];
            ids[0] = processed == 0 && addBos ? bos : random.nextInt(vocabulary);
            for (int i = 1; i < n; i++) {
                ids[i] = random.nextInt(vocabulary);
            }
            buffer.write(0, ids, 0, n);
            decode(ctx, buffer, n);
            processed += n;
        }
        api.llama_synchronize(ctx);
    }

    private void generate(Pointer ctx, int tokens, Memory buffer) {
        int token = addBos ? bos : random.nextInt(vocabulary);
        for (int i = 0; i < tokens; i++) {
            buffer.setInt(0, token);
            decode(ctx, buffer, 1);
            api.llama_synchronize(ctx);
            token = random.nextInt(vocabulary);
        }
    }

    private void decode(Pointer ctx, Memory tokens, int n) {
        batch.n_tokens = n;
        batch.token = tokens;
        int result = api.llama_decode(ctx, batch);
        if (result != 0) {
            throw new SlmException("llama_decode failed with code " + result);
        }
    }

    /** Frees the context and the model (the C API, unlike the binding, does free them). */
    @Override
    public void close() {
        api.llama_model_free(model);
    }
}
