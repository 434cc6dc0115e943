package dev.slm.profile;

import dev.slm.gguf.GgmlType;
import dev.slm.gguf.GgufArray;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * GGUF headers with the shapes of real models (from their config.json), built in memory: the
 * planner only reads headers, so no multi-gigabyte file is needed.
 */
final class ModelShapes {
    private ModelShapes() {
    }

    /** Qwen2.5-0.5B: 24 layers, 896 wide, 14 heads, 2 KV heads, 151936 tokens, 32768 context, tied output. */
    static GgufFile qwen25_05b(GgmlType type) {
        return model("Qwen2.5-0.5B-Instruct", "qwen2", 24, 896, 4864, 14, 2, 151_936, 32_768, true, type);
    }

    /** Llama-3.2-1B: 16 layers, 2048 wide, 32 heads, 8 KV heads, 128256 tokens, 131072 context, tied output. */
    static GgufFile llama32_1b(GgmlType type) {
        return model("Llama-3.2-1B-Instruct", "llama", 16, 2048, 8192, 32, 8, 128_256, 131_072, true, type);
    }

    /** Llama-3.2-3B: 28 layers, 3072 wide, 24 heads, 8 KV heads, 128256 tokens, 131072 context, tied output. */
    static GgufFile llama32_3b(GgmlType type) {
        return model("Llama-3.2-3B-Instruct", "llama", 28, 3072, 8192, 24, 8, 128_256, 131_072, true, type);
    }

    /** Qwen2.5-7B: 28 layers, 3584 wide, 28 heads, 4 KV heads, 152064 tokens, 32768 context, own output head. */
    static GgufFile qwen25_7b(GgmlType type) {
        return model("Qwen2.5-7B-Instruct", "qwen2", 28, 3584, 18_944, 28, 4, 152_064, 32_768, false, type);
    }

    /** Qwen2.5-14B: 48 layers, 5120 wide, 40 heads, 8 KV heads, 152064 tokens, 32768 context, own output head. */
    static GgufFile qwen25_14b(GgmlType type) {
        return model("Qwen2.5-14B-Instruct", "qwen2", 48, 5120, 13_824, 40, 8, 152_064, 32_768, false, type);
    }

    static GgufFile model(String name, String arch, int layers, long embd, long ffn, long heads, long kvHeads, long vocab,
                          long context, boolean tiedOutput, GgmlType type) {
        long headDim = embd / heads;
        List<GgufTensor> tensors = new ArrayList<>();
        tensors.add(new GgufTensor("token_embd.weight", new long[] {embd, vocab}, type, 0));
        for (int i = 0; i < layers; i++) {
            String b = "blk." + i + ".";
            tensors.add(new GgufTensor(b + "attn_norm.weight", new long[] {embd}, GgmlType.F32, 0));
            tensors.add(new GgufTensor(b + "attn_q.weight", new long[] {embd, embd}, type, 0));
            tensors.add(new GgufTensor(b + "attn_k.weight", new long[] {embd, kvHeads * headDim}, type, 0));
            tensors.add(new GgufTensor(b + "attn_v.weight", new long[] {embd, kvHeads * headDim}, type, 0));
            tensors.add(new GgufTensor(b + "attn_output.weight", new long[] {embd, embd}, type, 0));
            tensors.add(new GgufTensor(b + "ffn_norm.weight", new long[] {embd}, GgmlType.F32, 0));
            tensors.add(new GgufTensor(b + "ffn_gate.weight", new long[] {embd, ffn}, type, 0));
            tensors.add(new GgufTensor(b + "ffn_up.weight", new long[] {embd, ffn}, type, 0));
            tensors.add(new GgufTensor(b + "ffn_down.weight", new long[] {ffn, embd}, type, 0));
        }
        tensors.add(new GgufTensor("output_norm.weight", new long[] {embd}, GgmlType.F32, 0));
        if (!tiedOutput) {
            tensors.add(new GgufTensor("output.weight", new long[] {embd, vocab}, type, 0));
        }
        Map<String, Object> metadata = Map.of(
                "general.architecture", arch,
                "general.name", name,
                arch + ".block_count", (long) layers,
                arch + ".embedding_length", embd,
                arch + ".attention.head_count", heads,
                arch + ".attention.head_count_kv", kvHeads,
                arch + ".context_length", context,
                "tokenizer.ggml.tokens", new GgufArray("STRING", vocab, null));
        long bytes = tensors.stream().mapToLong(GgufTensor::byteSize).sum();
        return new GgufFile(Path.of(name + ".gguf"), bytes + (8L << 20), 3, metadata, tensors, 8L << 20);
    }
}
