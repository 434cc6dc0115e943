package dev.slm.bench;

import dev.slm.gguf.GgmlType;
import dev.slm.gguf.GgufWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Writes a GGUF model with random weights in the exact shape of a real one, so that its speed can be
 * measured without downloading it: llama.cpp does the same work per token whatever the weights say.
 *
 * <p>The tokenizer is a synthetic SentencePiece ("llama") vocabulary of the real size: control
 * tokens, byte tokens, printable ASCII, then lowercase words. The embedding rows of the control
 * tokens and of the non-ASCII byte tokens are zero, so their logits are 0 while random rows score
 * above that: greedy decoding never picks them, and every generated token is one piece of ASCII
 * text (a half UTF-8 character would be held back by the server and miscount streamed tokens).
 */
public final class SyntheticModel {
    /** Weight types that can be written; norms and biases are always F32, as llama.cpp's quantizer leaves them. */
    public static final List<GgmlType> TYPES = List.of(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0);

    static final int UNK = 0;
    static final int BOS = 1;
    static final int EOS = 2;
    static final int FIRST_BYTE = 3;

    private static final int NORMAL = 1;
    private static final int UNKNOWN = 2;
    private static final int CONTROL = 3;
    private static final int BYTE = 6;
    private static final String SPACE = "\u2581";
    private static final int POOL_BYTES = 4 << 20;

    private SyntheticModel() {
    }

    public static GgmlType type(String name) {
        String wanted = name.toUpperCase(Locale.ROOT);
        return TYPES.stream().filter(t -> t.name().equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("cannot write weights of type '" + name + "': use one of "
                        + TYPES.stream().map(GgmlType::name).collect(Collectors.joining(", "))));
    }

    /** File name for a shape and type, e.g. {@code qwen2.5-0.5b-Q8_0.gguf}. */
    public static String fileName(TransformerShape shape, GgmlType type) {
        return shape.name() + "-" + type.name() + ".gguf";
    }

    /** Writes the model to {@code target} (atomically); the same seed gives the same file. */
    public static void write(TransformerShape shape, GgmlType type, Path target, long seed) {
        write(shape, type, target, seed, shape.layers());
    }

    /**
     * As {@link #write(TransformerShape, GgmlType, Path, long)}, with only the first {@code contributingLayers}
     * blocks adding to the residual stream: the later blocks' output projections ({@code attn_output},
     * {@code ffn_down}) are zero, so they cost what they always cost and change nothing. A {@code --layers N}
     * cut of such a model predicts every one of its tokens: the pair measures the most speculative
     * decoding can gain on this machine (every draft token accepted), which random weights cannot
     * otherwise show (a cut of a random model disagrees with it almost always).
     */
    public static void write(TransformerShape shape, GgmlType type, Path target, long seed, int contributingLayers) {
        if (contributingLayers < 1 || contributingLayers > shape.layers()) {
            throw new IllegalArgumentException("contributing layers must be between 1 and " + shape.layers()
                    + ", got " + contributingLayers);
        }
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("cannot write weights of type " + type);
        }
        String arch = shape.architecture();
        List<String> tokens = vocabulary(shape.vocabulary());
        float[] scores = new float[tokens.size()];
        int[] types = new int[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            scores[i] = -i;
            types[i] = i == UNK ? UNKNOWN : i == BOS || i == EOS ? CONTROL : i < FIRST_BYTE + 256 ? BYTE : NORMAL;
        }
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", arch)
                .putString("general.name", "synthetic " + shape.name() + " " + type)
                .putString("general.description", "random weights in the shape of " + shape.name()
                        + ", written by slm bench for speed measurements; it produces no meaningful text")
                .putU32("general.file_type", fileType(type))
                .putU32("general.quantization_version", 2)
                .putU32(arch + ".context_length", shape.contextLength())
                .putU32(arch + ".embedding_length", shape.embedding())
                .putU32(arch + ".block_count", shape.layers())
                .putU32(arch + ".feed_forward_length", shape.feedForward())
                .putU32(arch + ".attention.head_count", shape.heads())
                .putU32(arch + ".attention.head_count_kv", shape.kvHeads())
                .putU32(arch + ".rope.dimension_count", shape.headDimension())
                .putU32(arch + ".attention.key_length", shape.headDimension())
                .putU32(arch + ".attention.value_length", shape.headDimension())
                .putU32(arch + ".vocab_size", shape.vocabulary())
                .putF32(arch + ".rope.freq_base", shape.ropeFreqBase())
                .putF32(arch + ".attention.layer_norm_rms_epsilon", shape.rmsEpsilon())
                .putString("tokenizer.ggml.model", "llama")
                .putStrings("tokenizer.ggml.tokens", tokens)
                .putF32s("tokenizer.ggml.scores", scores)
                .putI32s("tokenizer.ggml.token_type", types)
                .putU32("tokenizer.ggml.unknown_token_id", UNK)
                .putU32("tokenizer.ggml.bos_token_id", BOS)
                .putU32("tokenizer.ggml.eos_token_id", EOS)
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putBool("tokenizer.ggml.add_eos_token", false);
        if (shape.slidingWindow() > 0) {
            w.putU32(arch + ".attention.sliding_window", shape.slidingWindow());
        }
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pool = blockPool(type, random.split());
        for (TransformerShape.TensorSpec t : shape.tensors()) {
            GgmlType tensorType = t.matrix() ? type : GgmlType.F32;
            long rowElements = t.shape()[0];
            long rows = t.elements() / rowElements;
            int rowBytes = Math.toIntExact(tensorType.bytesFor(rowElements));
            // Each tensor's weights follow from the seed and its name alone, so a shape with fewer
            // layers (--layers) has the very weights of the full one's first layers: a draft model
            // that agrees with it often, as a real small model of the same family does.
            SplittableRandom rowRandom = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + t.name().hashCode());
            if (!t.matrix()) {
                float value = t.name().endsWith(".bias") ? 0f : 1f;
                w.addTensor(t.name(), GgmlType.F32, t.shape(), out -> {
                    ByteBuffer row = ByteBuffer.allocate(rowBytes).order(ByteOrder.LITTLE_ENDIAN);
                    while (row.hasRemaining()) {
                        row.putFloat(value);
                    }
                    for (long r = 0; r < rows; r++) {
                        out.write(row.array());
                    }
                });
                continue;
            }
            boolean embedding = t.name().equals("token_embd.weight");
            boolean silent = silentProjection(t.name(), contributingLayers);
            int poolBlocks = pool.length / tensorType.typeSize();
            int rowBlocks = rowBytes / tensorType.typeSize();
            byte[] zeros = new byte[rowBytes];
            w.addTensor(t.name(), tensorType, t.shape(), out -> {
                for (long r = 0; r < rows; r++) {
                    if (silent || embedding && neverGenerated((int) r)) {
                        out.write(zeros);
                    } else {
                        int start = rowRandom.nextInt(poolBlocks - rowBlocks + 1) * tensorType.typeSize();
                        out.write(pool, start, rowBytes);
                    }
                }
            });
        }
        w.write(target);
    }

    private static final java.util.regex.Pattern OUTPUT_PROJECTION =
            java.util.regex.Pattern.compile("blk\\.(\\d+)\\.(attn_output|ffn_down)\\.weight");

    /** An output projection of a block at or after {@code contributingLayers}: written as zeros. */
    static boolean silentProjection(String tensor, int contributingLayers) {
        java.util.regex.Matcher m = OUTPUT_PROJECTION.matcher(tensor);
        return m.matches() && Integer.parseInt(m.group(1)) >= contributingLayers;
    }

    /** Control tokens and bytes that are not ASCII: zero embedding rows, so greedy decoding never picks them. */
    static boolean neverGenerated(int token) {
        return token < FIRST_BYTE || (token >= FIRST_BYTE + 0x80 && token < FIRST_BYTE + 256);
    }

    /**
     * A SentencePiece vocabulary of {@code size} tokens: {@code <unk> <s> </s>}, the 256 byte tokens,
     * the word-start mark, printable ASCII alone and after the mark, then lowercase words after the
     * mark, shortest first (so every word's prefix is a token and SentencePiece can merge up to it).
     */
    static List<String> vocabulary(int size) {
        List<String> v = new ArrayList<>(size);
        v.add("<unk>");
        v.add("<s>");
        v.add("</s>");
        HexFormat hex = HexFormat.of().withUpperCase();
        for (int b = 0; b < 256; b++) {
            v.add("<0x" + hex.toHexDigits((byte) b) + ">");
        }
        v.add(SPACE);
        for (char c = 0x21; c < 0x7f; c++) {
            v.add(String.valueOf(c));
            v.add(SPACE + c);
        }
        for (int length = 2; v.size() < size; length++) {
            char[] word = new char[length];
            java.util.Arrays.fill(word, 'a');
            while (v.size() < size) {
                v.add(SPACE + new String(word));
                int i = length - 1;
                while (i >= 0 && word[i] == 'z') {
                    word[i--] = 'a';
                }
                if (i < 0) {
                    break;
                }
                word[i]++;
            }
        }
        if (v.size() > size) {
            throw new IllegalArgumentException("a vocabulary needs at least " + v.size() + " tokens, not " + size);
        }
        return v;
    }

    /** Valid blocks of {@code type} with weights of about 0.02 standard deviation, as trained models have. */
    private static byte[] blockPool(GgmlType type, SplittableRandom random) {
        int blocks = POOL_BYTES / type.typeSize();
        ByteBuffer b = ByteBuffer.allocate(blocks * type.typeSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < blocks; i++) {
            switch (type) {
                case F32 -> b.putFloat((float) (random.nextGaussian() * 0.02));
                case F16 -> b.putShort(Float.floatToFloat16((float) (random.nextGaussian() * 0.02)));
                case Q8_0 -> {
                    // int8 uniform in [-127, 127] has a standard deviation of ~73.
                    b.putShort(Float.floatToFloat16((float) (0.02 / 73 * (0.5 + random.nextDouble()))));
                    for (int q = 0; q < 32; q++) {
                        b.put((byte) (random.nextInt(255) - 127));
                    }
                }
                case Q4_0 -> {
                    // nibbles minus 8, uniform in [-8, 7]: a standard deviation of ~4.6.
                    b.putShort(Float.floatToFloat16((float) (0.02 / 4.6 * (0.5 + random.nextDouble()))));
                    for (int q = 0; q < 16; q++) {
                        b.put((byte) random.nextInt(256));
                    }
                }
                default -> throw new IllegalArgumentException("cannot write weights of type " + type);
            }
        }
        return b.array();
    }

    private static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            default -> throw new IllegalArgumentException("no file type for " + type);
        };
    }
}
