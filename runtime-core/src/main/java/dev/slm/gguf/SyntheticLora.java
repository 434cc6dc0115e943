package dev.slm.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a LoRA adapter with random weights for a given base model, in the layout llama.cpp's
 * llama-adapter.cpp loads (what convert_lora_to_gguf.py writes): {@code general.type = adapter},
 * {@code adapter.type = lora}, {@code adapter.lora.alpha}, and for each target weight W of shape
 * [in, out] (GGUF order) a pair {@code W.lora_a} [in, rank] and {@code W.lora_b} [rank, out], F32.
 * Tests use it to prove that an adapter reaches the weights without shipping a fine-tuned model.
 */
public final class SyntheticLora {
    private SyntheticLora() {
    }

    /**
     * @param targets names of 2-D weights of {@code base} (not token_embd.weight, whose pair is laid out otherwise)
     * @param rank    the adapter's rank; with {@code alpha} = rank, scale 1 adds B·A as written
     */
    public static void write(GgufFile base, List<String> targets, int rank, float alpha, Path target, long seed) {
        if (rank < 1) {
            throw new IllegalArgumentException("rank must be positive, got " + rank);
        }
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", base.architecture())
                .putString("general.type", "adapter")
                .putString("general.name", "synthetic lora")
                .putString("adapter.type", "lora")
                .putF32("adapter.lora.alpha", alpha);
        SplittableRandom random = new SplittableRandom(seed);
        for (String name : targets) {
            GgufTensor weight = base.tensors().stream().filter(t -> t.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("the base model has no tensor " + name));
            if (weight.shape().length != 2 || name.endsWith("token_embd.weight")) {
                throw new IllegalArgumentException(name + " is not a matrix a LoRA pair can target here");
            }
            long in = weight.shape()[0];
            long out = weight.shape()[1];
            w.addTensor(name + ".lora_a", GgmlType.F32, new long[] {in, rank}, randomF32(in * rank, random.split()));
            w.addTensor(name + ".lora_b", GgmlType.F32, new long[] {rank, out}, randomF32(rank * out, random.split()));
        }
        w.write(target);
    }

    /** Uniform in [-1, 1): large enough that the adapter changes what a small model says. */
    private static GgufWriter.TensorData randomF32(long count, SplittableRandom random) {
        return out -> {
            ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(count * Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < count; i++) {
                buffer.putFloat((float) (random.nextDouble() * 2 - 1));
            }
            out.write(buffer.array());
        };
    }
}
