package dev.slm.engine;

import java.nio.file.Path;

/**
 * A small model that proposes tokens for a larger one to check in one batch (speculative decoding,
 * llama.cpp's {@code --model-draft}). The larger model's own choice always wins, so a greedy answer
 * is the same with or without a draft; only its speed changes, by how often the draft guesses right.
 * The draft must share the larger model's vocabulary (same family).
 *
 * @param path      the draft's GGUF file
 * @param maxTokens tokens drafted per step; 0 = llama.cpp's default (16)
 */
public record DraftModel(Path path, int maxTokens) {
    public DraftModel {
        if (path == null) {
            throw new IllegalArgumentException("a draft model needs a file");
        }
        if (maxTokens < 0 || maxTokens > 64) {
            throw new IllegalArgumentException("draft tokens per step must be 0 (default) to 64, got " + maxTokens);
        }
    }
}
