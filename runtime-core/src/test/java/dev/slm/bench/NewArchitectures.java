package dev.slm.bench;

/** Tiny shapes of architectures newer than the binding's b4916, for tests that must load them fast. */
public final class NewArchitectures {
    /** Qwen3's layout (128-wide heads apart from the embedding, q/k norms), a few hundred KB. */
    public static final TransformerShape TINY_QWEN3 = new TransformerShape("tiny-qwen3", "qwen3",
            64, 2, 4, 2, 128, 1024, 4096, 1e6f, 1e-6f, false, 32, true, false, 0);
    /** Gemma 3's layout (q/k norms, sandwich norms, sliding-window layers). */
    public static final TransformerShape TINY_GEMMA3 = new TransformerShape("tiny-gemma3", "gemma3",
            64, 6, 2, 1, 128, 1024, 4096, 1e6f, 1e-6f, false, 64, true, true, 16);

    private NewArchitectures() {
    }
}
