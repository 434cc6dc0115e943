package dev.slm.server.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.engine.DraftModel;
import dev.slm.engine.ModelOptions;
import dev.slm.fixtures.FixtureModel;
import dev.slm.profile.MemoryEstimate;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class LoadedModelMemoryTest {
    @Test
    void aDraftModelCountsAgainstTheBudget() throws Exception {
        MemoryEstimate model = new MemoryEstimate(100L << 20, 10L << 20, 5L << 20);
        long plain = LoadedModelMemory.of(model, ModelOptions.defaults()).total();
        LoadedModelMemory drafted = LoadedModelMemory.of(model,
                ModelOptions.defaults().withDraft(new DraftModel(FixtureModel.path(), 0)));
        long file = Files.size(FixtureModel.path());
        assertEquals(plain + file + file / 4, drafted.total());
        assertTrue(drafted.describe().contains("draft model "), drafted.describe());
    }
}
