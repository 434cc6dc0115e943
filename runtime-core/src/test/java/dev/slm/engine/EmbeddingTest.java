package dev.slm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.fixtures.FixtureModel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EmbeddingTest {

    @Test
    void aModelOpenedForEmbeddingsEmbedsText() {
        try (Model model = Model.open(FixtureModel.path(), ModelOptions.defaults().withEmbeddings(true))) {
            float[] a = model.embed("Lily played with a ball.");
            float[] b = model.embed("Lily played with a ball.");
            float[] c = model.embed("The dog ran away from home.");
            assertEquals(64, a.length, "the fixture model's embedding length");
            assertTrue(Arrays.stream(box(a)).anyMatch(v -> v != 0f));
            assertTrue(Arrays.equals(a, b), "embeddings are deterministic");
            assertNotEquals(Arrays.toString(a), Arrays.toString(c));
        }
    }

    private static Float[] box(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
