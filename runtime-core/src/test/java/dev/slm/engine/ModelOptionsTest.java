package dev.slm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import dev.slm.fixtures.FixtureModel;
import dev.slm.gguf.GgmlType;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelOptionsTest {

    @Test
    void defaultsAreWhatSlmDidBeforeProfiles() {
        ModelOptions d = ModelOptions.defaults();
        assertEquals(512, d.effectiveUbatchSize());
        assertEquals(GgmlType.F16, d.kvCacheType());
        assertTrue(d.mmap());
        assertEquals(Optional.empty(), d.customNativeLibrary());
        assertEquals(d, new ModelOptions(0, 0, 512, 0, -1, 1, false, false), "the eight-value constructor still works");
    }

    @Test
    void badCombinationsAreRefusedWithTheFix() {
        IllegalArgumentException q8 = assertThrows(IllegalArgumentException.class,
                () -> ModelOptions.defaults().withKvCacheType(GgmlType.Q8_0));
        assertEquals("a quantized KV cache (Q8_0) needs flash attention: enable flash attention or use F16", q8.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelOptions.defaults().withKvCacheType(GgmlType.Q4_K));
        assertThrows(IllegalArgumentException.class, () -> ModelOptions.defaults().withUbatchSize(1024));
        assertEquals(128, ModelOptions.defaults().withUbatchSize(256).withBatchSize(128).ubatchSize(),
                "a smaller batch lowers the ubatch with it");
    }

    @Test
    void flashAttentionASmallUbatchAndNoMmapStillWriteTheStory() {
        ModelOptions options = ModelOptions.defaults().withThreads(1).withContextSize(256).withBatchSize(64).withUbatchSize(32)
                .withFlashAttention(true).withMmap(false);
        try (Model model = Model.open(FixtureModel.path(), options)) {
            assertEquals(options, model.options());
            Completion c = model.generate(FixtureModel.PROMPT, SamplingOptions.greedy().withMaxTokens(8)).await();
            assertTrue(c.text().startsWith(", there was a little girl"), c.text());
        }
    }

    @Test
    void aQuantizedKvCacheTheModelsHeadsCannotHoldIsRefusedBeforeLlamaCppAbortsTheProcess() {
        // The fixture's heads hold 64 / 8 = 8 values; llama.cpp would GGML_ASSERT (measured) on Q8_0.
        ModelOptions q8 = ModelOptions.defaults().withThreads(1).withFlashAttention(true).withKvCacheType(GgmlType.Q8_0);
        SlmException e = assertThrows(SlmException.class, () -> Model.open(FixtureModel.path(), q8));
        assertEquals("this model's attention heads hold 8 values, not a multiple of 32 as a Q8_0 KV cache needs: use an F16 KV cache",
                e.getMessage());
    }
}
