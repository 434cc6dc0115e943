package dev.slm.bench;

import dev.slm.gguf.GgmlType;
import dev.slm.gguf.GgufWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a vision projector ("mmproj" GGUF) with random weights: the smallest llama.cpp accepts,
 * a LLaVA-style projector (clip.projector_type "mlp": a ViT of two blocks, of which llava uses all
 * but the last, then a two-layer MLP) whose output width matches a text model's embedding width, so
 * that any small llama model, the fixture included, can be opened with it. A 32-pixel image makes
 * 4 x 4 patches, so each image takes {@link #TOKENS_PER_IMAGE} positions of the prompt. What the
 * model then says about an image is noise; that the image reaches it is what this proves.
 */
public final class SyntheticProjector {
    public static final int IMAGE_SIZE = 32;
    public static final int PATCH_SIZE = 8;
    public static final int TOKENS_PER_IMAGE = (IMAGE_SIZE / PATCH_SIZE) * (IMAGE_SIZE / PATCH_SIZE);
    private static final int WIDTH = 32;
    private static final int FEED_FORWARD = 64;
    private static final int HEADS = 2;
    private static final int BLOCKS = 2;

    private SyntheticProjector() {
    }

    /** A projector for a text model whose embeddings are {@code textEmbedding} wide. */
    public static void write(Path target, int textEmbedding, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "clip")
                .putString("general.name", "synthetic vision projector")
                .putString("general.description", "random weights, written by slm's tests; it sees nothing")
                .putU32("general.file_type", 0)
                .putString("clip.projector_type", "mlp")
                .putBool("clip.has_vision_encoder", true)
                .putBool("clip.use_gelu", true)
                .putU32("clip.vision.image_size", IMAGE_SIZE)
                .putU32("clip.vision.patch_size", PATCH_SIZE)
                .putU32("clip.vision.embedding_length", WIDTH)
                .putU32("clip.vision.feed_forward_length", FEED_FORWARD)
                .putU32("clip.vision.block_count", BLOCKS)
                .putU32("clip.vision.projection_dim", textEmbedding)
                .putU32("clip.vision.attention.head_count", HEADS)
                .putF32("clip.vision.attention.layer_norm_epsilon", 1e-6f)
                .putF32s("clip.vision.image_mean", new float[] {0.5f, 0.5f, 0.5f})
                .putF32s("clip.vision.image_std", new float[] {0.5f, 0.5f, 0.5f});
        int patches = TOKENS_PER_IMAGE;
        random(w, "v.patch_embd.weight", random, PATCH_SIZE, PATCH_SIZE, 3, WIDTH);
        random(w, "v.position_embd.weight", random, WIDTH, patches);
        for (int b = 0; b < BLOCKS; b++) {
            String p = "v.blk." + b + ".";
            for (String proj : new String[] {"attn_q", "attn_k", "attn_v", "attn_out"}) {
                random(w, p + proj + ".weight", random, WIDTH, WIDTH);
                constant(w, p + proj + ".bias", 0f, WIDTH);
            }
            for (String norm : new String[] {"ln1", "ln2"}) {
                constant(w, p + norm + ".weight", 1f, WIDTH);
                constant(w, p + norm + ".bias", 0f, WIDTH);
            }
            random(w, p + "ffn_up.weight", random, WIDTH, FEED_FORWARD);
            constant(w, p + "ffn_up.bias", 0f, FEED_FORWARD);
            random(w, p + "ffn_down.weight", random, FEED_FORWARD, WIDTH);
            constant(w, p + "ffn_down.bias", 0f, WIDTH);
        }
        random(w, "mm.0.weight", random, WIDTH, textEmbedding);
        constant(w, "mm.0.bias", 0f, textEmbedding);
        random(w, "mm.2.weight", random, textEmbedding, textEmbedding);
        constant(w, "mm.2.bias", 0f, textEmbedding);
        w.write(target);
    }

    private static void random(GgufWriter w, String name, SplittableRandom random, long... shape) {
        SplittableRandom own = random.split();
        w.addTensor(name, GgmlType.F32, shape, out -> out.write(floats(elements(shape), own::nextGaussian, 0.02)));
    }

    private static void constant(GgufWriter w, String name, float value, long... shape) {
        w.addTensor(name, GgmlType.F32, shape, out -> out.write(floats(elements(shape), () -> 1.0, value)));
    }

    private static int elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    private static byte[] floats(int n, java.util.function.DoubleSupplier source, double scale) {
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat((float) (source.getAsDouble() * scale));
        }
        return b.array();
    }
}
