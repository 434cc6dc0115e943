package dev.slm.profile;

import dev.slm.engine.ModelOptions;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufTensor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures of a GGUF header that memory planning needs.
 *
 * @param layerBytes    weight bytes of each block ("blk.N.*" tensors)
 * @param otherBytes    weight bytes outside the blocks (token embeddings, output norm and head)
 * @param outputBytes   the output head ("output.weight"), which llama.cpp offloads only with all layers
 * @param kvWidth       K plus V values per token and layer (key and value length times KV heads)
 * @param trainedContext the context the model was trained for
 */
record ModelFootprint(String name, long[] layerBytes, long otherBytes, long outputBytes, long embedding, long heads,
                  long kvWidth, long vocabulary, long trainedContext) {
    private static final Pattern BLOCK = Pattern.compile("^blk\\.(\\d+)\\.");

    static ModelFootprint of(GgufFile f) {
        String arch = f.architecture();
        int blocks = f.blockCount().map(Long::intValue).orElse(0);
        for (GgufTensor t : f.tensors()) {
            Matcher m = BLOCK.matcher(t.name());
            if (m.find()) {
                blocks = Math.max(blocks, Integer.parseInt(m.group(1)) + 1);
            }
        }
        long[] layers = new long[blocks];
        long other = 0;
        long output = 0;
        for (GgufTensor t : f.tensors()) {
            Matcher m = BLOCK.matcher(t.name());
            if (m.find()) {
                layers[Integer.parseInt(m.group(1))] += t.byteSize();
            } else {
                other += t.byteSize();
                if (t.name().equals("output.weight")) {
                    output = t.byteSize();
                }
            }
        }
        long embd = f.embeddingLength().orElse(0L);
        long heads = f.headCount().orElse(0L);
        long kvHeads = f.headCountKv().orElse(heads);
        long keyLength = f.attentionKeyLength().orElse(0L);
        long valueLength = f.attentionValueLength().orElse(0L);
        long vocab = f.vocabularySize().orElse(
                f.tensors().stream().filter(t -> t.name().equals("token_embd.weight") && t.shape().length == 2)
                        .mapToLong(t -> t.shape()[1]).findFirst().orElse(32_000L));
        String name = f.name().orElse(f.path() == null ? arch : f.path().getFileName().toString());
        return new ModelFootprint(name, layers, other, output, embd, heads, (keyLength + valueLength) * kvHeads, vocab,
                ModelOptions.trainedContext(f.contextLength()));
    }

    int blocks() {
        return layerBytes.length;
    }

    long weights() {
        long sum = otherBytes;
        for (long b : layerBytes) {
            sum += b;
        }
        return sum;
    }

    /** Weights of the last {@code n} blocks: llama.cpp offloads blocks from the end. */
    long lastLayers(int n) {
        long sum = 0;
        for (int i = layerBytes.length - n; i < layerBytes.length; i++) {
            sum += layerBytes[i];
        }
        return sum;
    }
}
