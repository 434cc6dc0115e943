package dev.slm.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The architecture hyper-parameters of a decoder-only transformer, enough to write a GGUF file whose
 * tensors have exactly the shapes of the real model (and so cost the same to run).
 *
 * @param name           short name used on the command line, e.g. {@code qwen2.5-0.5b}
 * @param architecture   llama.cpp's architecture name ({@code llama}, {@code qwen2})
 * @param embedding      hidden size
 * @param layers         transformer blocks
 * @param heads          attention heads
 * @param kvHeads        key/value heads (grouped-query attention)
 * @param feedForward    intermediate size of the gated MLP
 * @param vocabulary     tokens in the vocabulary
 * @param contextLength  trained context length
 * @param ropeFreqBase   RoPE theta
 * @param rmsEpsilon     RMS norm epsilon
 * @param attentionBias  q/k/v projections have biases (Qwen2)
 * @param headDim        width of one attention head; Qwen3 and Gemma 3 choose it apart from
 *                       embedding / heads (written as key_length and value_length)
 * @param qkNorm         per-head RMS norms on queries and keys (Qwen3, Gemma 3)
 * @param sandwichNorms  norms after attention and after the MLP as well (Gemma 2/3)
 * @param slidingWindow  sliding-window attention span of the local layers (Gemma 3), 0 for none
 */
public record TransformerShape(String name, String architecture, int embedding, int layers, int heads, int kvHeads,
                         int feedForward, int vocabulary, int contextLength, float ropeFreqBase, float rmsEpsilon,
                         boolean attentionBias, int headDim, boolean qkNorm, boolean sandwichNorms, int slidingWindow) {

    /** A Llama- or Qwen2-like shape: head width embedding / heads, no extra norms. */
    public TransformerShape(String name, String architecture, int embedding, int layers, int heads, int kvHeads,
                      int feedForward, int vocabulary, int contextLength, float ropeFreqBase, float rmsEpsilon,
                      boolean attentionBias) {
        this(name, architecture, embedding, layers, heads, kvHeads, feedForward, vocabulary, contextLength,
                ropeFreqBase, rmsEpsilon, attentionBias, embedding / heads, false, false, 0);
    }

    /** HuggingFaceTB/SmolLM2-135M: 134,515,008 parameters, tied embeddings. */
    public static final TransformerShape SMOLLM2_135M = new TransformerShape("smollm2-135m", "llama",
            576, 30, 9, 3, 1536, 49152, 8192, 100000f, 1e-5f, false);
    /** Qwen/Qwen2.5-0.5B: 494,032,768 parameters, tied embeddings, q/k/v biases. */
    public static final TransformerShape QWEN2_5_0_5B = new TransformerShape("qwen2.5-0.5b", "qwen2",
            896, 24, 14, 2, 4864, 151936, 32768, 1000000f, 1e-6f, true);
    /** meta-llama/Llama-3.2-1B: 1,235,814,400 parameters, tied embeddings. */
    public static final TransformerShape LLAMA_3_2_1B = new TransformerShape("llama-3.2-1b", "llama",
            2048, 16, 32, 8, 8192, 128256, 131072, 500000f, 1e-5f, false);

    /** Qwen/Qwen3-0.6B: 596,049,920 parameters, tied embeddings, 128-wide heads, q/k norms. */
    public static final TransformerShape QWEN3_0_6B = new TransformerShape("qwen3-0.6b", "qwen3",
            1024, 28, 16, 8, 3072, 151936, 40960, 1000000f, 1e-6f, false, 128, true, false, 0);
    /** google/gemma-3-270m: 268,098,176 parameters, tied embeddings, 256-wide heads, sliding window 512. */
    public static final TransformerShape GEMMA3_270M = new TransformerShape("gemma3-270m", "gemma3",
            640, 18, 4, 1, 2048, 262144, 32768, 1000000f, 1e-6f, false, 256, true, true, 512);

    public static final List<TransformerShape> KNOWN = List.of(SMOLLM2_135M, QWEN2_5_0_5B, LLAMA_3_2_1B, QWEN3_0_6B, GEMMA3_270M);

    public TransformerShape {
        if (heads % kvHeads != 0 || headDim <= 0) {
            throw new IllegalArgumentException(name + ": kv heads must divide the heads, and the head width must be positive");
        }
        if (!qkNorm && (long) heads * headDim != embedding) {
            throw new IllegalArgumentException(name + ": heads must divide the embedding");
        }
    }

    /** One tensor of the model: its GGUF name, shape (fastest dimension first) and whether it is a weight matrix. */
    public record TensorSpec(String name, long[] shape, boolean matrix) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }
    }

    public static TransformerShape named(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return KNOWN.stream().filter(s -> s.name.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown model shape '" + name + "': use one of "
                        + KNOWN.stream().map(TransformerShape::name).collect(Collectors.joining(", "))));
    }

    public int headDimension() {
        return headDim;
    }

    /**
     * The tensors llama.cpp expects for this architecture, in the order convert_hf_to_gguf.py writes
     * them. The output projection is tied to the token embedding (no output.weight), as in all the
     * known models.
     */
    public List<TensorSpec> tensors() {
        long kv = (long) kvHeads * headDim;
        long q = (long) heads * headDim;
        List<TensorSpec> t = new ArrayList<>();
        t.add(new TensorSpec("token_embd.weight", new long[] {embedding, vocabulary}, true));
        for (int i = 0; i < layers; i++) {
            String b = "blk." + i + ".";
            t.add(new TensorSpec(b + "attn_norm.weight", new long[] {embedding}, false));
            t.add(new TensorSpec(b + "attn_q.weight", new long[] {embedding, q}, true));
            t.add(new TensorSpec(b + "attn_k.weight", new long[] {embedding, kv}, true));
            t.add(new TensorSpec(b + "attn_v.weight", new long[] {embedding, kv}, true));
            if (attentionBias) {
                t.add(new TensorSpec(b + "attn_q.bias", new long[] {q}, false));
                t.add(new TensorSpec(b + "attn_k.bias", new long[] {kv}, false));
                t.add(new TensorSpec(b + "attn_v.bias", new long[] {kv}, false));
            }
            if (qkNorm) {
                t.add(new TensorSpec(b + "attn_q_norm.weight", new long[] {headDim}, false));
                t.add(new TensorSpec(b + "attn_k_norm.weight", new long[] {headDim}, false));
            }
            t.add(new TensorSpec(b + "attn_output.weight", new long[] {q, embedding}, true));
            if (sandwichNorms) {
                t.add(new TensorSpec(b + "post_attention_norm.weight", new long[] {embedding}, false));
            }
            t.add(new TensorSpec(b + "ffn_norm.weight", new long[] {embedding}, false));
            t.add(new TensorSpec(b + "ffn_gate.weight", new long[] {embedding, feedForward}, true));
            t.add(new TensorSpec(b + "ffn_up.weight", new long[] {embedding, feedForward}, true));
            t.add(new TensorSpec(b + "ffn_down.weight", new long[] {feedForward, embedding}, true));
            if (sandwichNorms) {
                t.add(new TensorSpec(b + "post_ffw_norm.weight", new long[] {embedding}, false));
            }
        }
        t.add(new TensorSpec("output_norm.weight", new long[] {embedding}, false));
        return t;
    }

    public long parameterCount() {
        return tensors().stream().mapToLong(TensorSpec::elements).sum();
    }

    /** This shape with only its first {@code n} blocks (a draft of the same family). */
    public TransformerShape withLayers(int n) {
        if (n < 1 || n > layers) {
            throw new IllegalArgumentException("--layers must be 1 to " + layers + " for " + name + ", got " + n);
        }
        return new TransformerShape(name + "-" + n + "l", architecture, embedding, n, heads, kvHeads, feedForward,
                vocabulary, contextLength, ropeFreqBase, rmsEpsilon, attentionBias, headDim, qkNorm, sandwichNorms,
                slidingWindow);
    }
}
