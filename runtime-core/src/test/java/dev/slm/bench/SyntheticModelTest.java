package dev.slm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.engine.Completion;
import dev.slm.engine.Model;
import dev.slm.engine.ModelOptions;
import dev.slm.engine.SamplingOptions;
import dev.slm.engine.StopReason;
import dev.slm.gguf.GgmlType;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufReader;
import dev.slm.gguf.GgufTensor;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticModelTest {
    @TempDir
    Path tmp;

    @Test
    void knownShapesHaveTheRealModelsParameterCounts() {
        // The counts published for the original checkpoints (tied embeddings, no output matrix).
        assertEquals(134_515_008L, TransformerShape.SMOLLM2_135M.parameterCount());
        assertEquals(494_032_768L, TransformerShape.QWEN2_5_0_5B.parameterCount());
        assertEquals(1_235_814_400L, TransformerShape.LLAMA_3_2_1B.parameterCount());
        assertEquals(596_049_920L, TransformerShape.QWEN3_0_6B.parameterCount());
        assertEquals(268_098_176L, TransformerShape.GEMMA3_270M.parameterCount());
    }

    /** Qwen3 and Gemma 3 need a llama.cpp newer than the binding's b4916: slm's own library loads them. */
    @Test
    void qwen3AndGemma3ShapesRunInLlamaCpp() {
        for (TransformerShape shape : List.of(NewArchitectures.TINY_QWEN3, NewArchitectures.TINY_GEMMA3)) {
            Path file = tmp.resolve(shape.name() + ".gguf");
            SyntheticModel.write(shape, GgmlType.Q8_0, file, 4);
            GgufFile f = GgufReader.read(file);
            assertEquals(shape.architecture(), f.architecture());
            assertTrue(f.tensors().stream().anyMatch(t -> t.name().equals("blk.0.attn_q_norm.weight")));
            assertEquals(shape.parameterCount(), f.parameterCount());
            generatesEveryRequestedToken(file);
        }
    }

    @Test
    void vocabularyHasTheRequestedSizeAndNoDuplicates() {
        List<String> v = SyntheticModel.vocabulary(151_936);
        assertEquals(151_936, v.size());
        assertEquals(v.size(), new HashSet<>(v).size());
        assertEquals("<0x0A>", v.get(SyntheticModel.FIRST_BYTE + 10));
        assertTrue(v.contains("\u2581the"));
        assertTrue(SyntheticModel.neverGenerated(SyntheticModel.EOS));
        assertTrue(SyntheticModel.neverGenerated(SyntheticModel.FIRST_BYTE + 0x80));
        assertTrue(!SyntheticModel.neverGenerated(SyntheticModel.FIRST_BYTE + 'a'));
    }

    @Test
    void aRealShapeRoundTripsThroughTheReaderAndRunsInLlamaCpp() {
        Path file = tmp.resolve(SyntheticModel.fileName(TransformerShape.SMOLLM2_135M, GgmlType.Q4_0));
        SyntheticModel.write(TransformerShape.SMOLLM2_135M, GgmlType.Q4_0, file, 1);
        GgufFile f = GgufReader.read(file);
        assertEquals("llama", f.architecture());
        assertEquals("Q4_0", f.quantization());
        assertEquals(30L, f.blockCount().orElseThrow());
        assertEquals(576L, f.embeddingLength().orElseThrow());
        assertEquals(3L, f.headCountKv().orElseThrow());
        assertEquals(49_152L, f.vocabularySize().orElseThrow());
        assertEquals(TransformerShape.SMOLLM2_135M.parameterCount(), f.parameterCount());
        GgufTensor embedding = f.tensors().get(0);
        assertEquals("token_embd.weight", embedding.name());
        assertEquals(GgmlType.Q4_0, embedding.type());
        assertEquals(f.tensors().stream().filter(t -> t.name().endsWith("norm.weight")).count(),
                f.tensors().stream().filter(t -> t.type() == GgmlType.F32).count(), "only norms are F32");
        generatesEveryRequestedToken(file);
        try (Model m = Model.open(file, ModelOptions.defaults().withThreads(1).withContextSize(64))) {
            // BOS + one token per word: the vocabulary holds every word of up to three letters.
            assertEquals(7, m.countTokens("the cat sat on the mat"));
        }
    }

    @Test
    void qwen2WithAttentionBiasesRunsInLlamaCpp() {
        TransformerShape small = new TransformerShape("small-qwen2", "qwen2", 64, 2, 4, 2, 128, 1024, 4096, 1e6f, 1e-6f, true);
        Path file = tmp.resolve("small-qwen2.gguf");
        SyntheticModel.write(small, GgmlType.Q8_0, file, 2);
        GgufFile f = GgufReader.read(file);
        assertEquals("qwen2", f.architecture());
        assertTrue(f.tensors().stream().anyMatch(t -> t.name().equals("blk.1.attn_k.bias")));
        assertEquals(small.parameterCount(), f.parameterCount());
        generatesEveryRequestedToken(file);
    }

    @Test
    void f16AndF32WeightsLoadToo() {
        TransformerShape small = new TransformerShape("small-llama", "llama", 64, 1, 4, 4, 128, 600, 2048, 1e4f, 1e-5f, false);
        for (GgmlType type : List.of(GgmlType.F16, GgmlType.F32)) {
            Path file = tmp.resolve("small-" + type + ".gguf");
            SyntheticModel.write(small, type, file, 3);
            assertEquals(type.name(), GgufReader.read(file).quantization());
            generatesEveryRequestedToken(file);
        }
    }

    @Test
    void unknownNamesAreRefusedWithTheChoices() {
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> TransformerShape.named("gpt-5"));
        assertTrue(shape.getMessage().contains("smollm2-135m, qwen2.5-0.5b, llama-3.2-1b, qwen3-0.6b, gemma3-270m"), shape.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class, () -> SyntheticModel.type("Q5_K"));
        assertTrue(type.getMessage().contains("F32, F16, Q8_0, Q4_0"), type.getMessage());
        assertEquals(GgmlType.Q8_0, SyntheticModel.type("q8_0"));
    }

    /** Ignoring end-of-text, every token comes out as a piece of ASCII text (no held-back bytes). */
    private static void generatesEveryRequestedToken(Path file) {
        try (Model m = Model.open(file, ModelOptions.defaults().withThreads(1).withContextSize(256))) {
            Completion c = m.generate("the cat sat", SamplingOptions.greedy().withMaxTokens(12).withIgnoreEos(true)).await();
            assertEquals(12, c.usage().completionTokens());
            assertEquals(StopReason.LENGTH, c.stopReason());
            assertTrue(c.text().chars().allMatch(ch -> ch < 0x80), c.text());
        }
    }
}
