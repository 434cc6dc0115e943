package dev.slm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import dev.slm.fixtures.FixtureModel;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufReader;
import dev.slm.gguf.GgufWriter;
import dev.slm.gguf.SyntheticLora;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A LoRA adapter written for the fixture model reaches its weights through llama.cpp. */
class LoraAdapterTest {
    private static final SamplingOptions GREEDY = SamplingOptions.greedy().withMaxTokens(30);
    private static final List<String> TARGETS = List.of("output.weight", "blk.0.attn_q.weight", "blk.1.ffn_up.weight");

    @TempDir
    static Path dir;
    static GgufFile base;
    static Path adapter;
    static String plain;

    @BeforeAll
    static void writeAdapterAndGenerateWithout() {
        base = GgufReader.read(FixtureModel.path());
        adapter = dir.resolve("story-lora.gguf");
        SyntheticLora.write(base, TARGETS, 4, 4f, adapter, 7);
        plain = generate(ModelOptions.defaults());
    }

    private static String generate(ModelOptions options) {
        try (Model model = Model.open(base, options)) {
            return model.generate(FixtureModel.PROMPT, GREEDY).await().text();
        }
    }

    @Test
    void anAdapterChangesTheGreedyAnswerAndScaleZeroRestoresIt() {
        assertTrue(plain.startsWith(FixtureModel.GREEDY_CONTINUATION), plain);
        String adapted = generate(ModelOptions.defaults().withAdapters(List.of(new LoraAdapter(adapter))));
        assertNotEquals(plain, adapted, "the adapter changed nothing");
        String again = generate(ModelOptions.defaults().withAdapters(List.of(new LoraAdapter(adapter))));
        assertEquals(adapted, again, "greedy decoding with the adapter is deterministic");
        String zero = generate(ModelOptions.defaults().withAdapters(List.of(new LoraAdapter(adapter, 0f))));
        assertEquals(plain, zero, "scale 0 must give the base model's answer");
    }

    @Test
    void severalAdaptersLoadAndAPathWithCommasAndColonsWorks() throws Exception {
        Path odd = Files.createDirectories(dir.resolve("a,b:c")).resolve("second,lora:1.gguf");
        SyntheticLora.write(base, List.of("blk.2.attn_v.weight"), 2, 2f, odd, 11);
        String both = generate(ModelOptions.defaults().withAdapters(
                List.of(new LoraAdapter(adapter, 0f), new LoraAdapter(odd, 0.5f))));
        assertNotEquals(plain, both, "the second adapter (scale 0.5) was not applied");
        String off = generate(ModelOptions.defaults().withAdapters(
                List.of(new LoraAdapter(adapter, 0f), new LoraAdapter(odd, 0f))));
        assertEquals(plain, off);
    }

    @Test
    void aFileThatIsNotAnAdapterOrDoesNotFitIsRefusedInOneLine() throws Exception {
        SlmException notAdapter = assertThrows(SlmException.class, () -> Model.open(base,
                ModelOptions.defaults().withAdapters(List.of(new LoraAdapter(FixtureModel.path())))));
        assertTrue(notAdapter.getMessage().contains("is not a LoRA adapter"), notAdapter.getMessage());

        SlmException missing = assertThrows(SlmException.class, () -> Model.open(base,
                ModelOptions.defaults().withAdapters(List.of(new LoraAdapter(dir.resolve("nope.gguf"))))));
        assertTrue(missing.getMessage().startsWith("LoRA adapter not found"), missing.getMessage());

        Path otherArch = dir.resolve("qwen-lora.gguf");
        new GgufWriter().putString("general.architecture", "qwen3").putString("general.type", "adapter")
                .putString("adapter.type", "lora").putF32("adapter.lora.alpha", 1f)
                .addTensor("output.weight.lora_a", dev.slm.gguf.GgmlType.F32, new long[] {64, 1}, out -> out.write(new byte[256]))
                .addTensor("output.weight.lora_b", dev.slm.gguf.GgmlType.F32, new long[] {1, 512}, out -> out.write(new byte[2048]))
                .write(otherArch);
        SlmException arch = assertThrows(SlmException.class, () -> Model.open(base,
                ModelOptions.defaults().withAdapters(List.of(new LoraAdapter(otherArch)))));
        assertTrue(arch.getMessage().contains("is for 'qwen3' models"), arch.getMessage());

        Path wrongShape = dir.resolve("wide-lora.gguf");
        new GgufWriter().putString("general.architecture", "llama").putString("general.type", "adapter")
                .putString("adapter.type", "lora").putF32("adapter.lora.alpha", 1f)
                .addTensor("output.weight.lora_a", dev.slm.gguf.GgmlType.F32, new long[] {128, 1}, out -> out.write(new byte[512]))
                .addTensor("output.weight.lora_b", dev.slm.gguf.GgmlType.F32, new long[] {1, 512}, out -> out.write(new byte[2048]))
                .write(wrongShape);
        SlmException shape = assertThrows(SlmException.class, () -> Model.open(base,
                ModelOptions.defaults().withAdapters(List.of(new LoraAdapter(wrongShape)))));
        assertTrue(shape.getMessage().contains("does not fit output.weight"), shape.getMessage());
    }
}
