package dev.slm.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import dev.slm.catalog.SupportedArchitectures;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.FixtureVariants;
import dev.slm.gguf.GgufException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {
    @TempDir
    Path dir;

    @Test
    void twoNamesForOneFileShareOneBlobUntilBothAreRemoved() throws Exception {
        ModelStore store = ModelStore.at(dir.resolve("models"));
        Manifest a = new ModelImport(store).importFile(FixtureModel.path(), "Stories");
        Manifest b = new ModelImport(store).importFile(FixtureModel.path(), "tales");
        assertEquals("stories", a.name());
        assertEquals(FixtureModel.SHA256, a.sha256());
        assertEquals(FixtureModel.SIZE, a.size());
        assertEquals("llama", a.architecture());
        assertEquals("F32", a.quantization());
        assertTrue(a.lastVerified().isPresent());
        assertEquals(a.sha256(), b.sha256());
        try (var blobs = Files.list(dir.resolve("models/blobs"))) {
            assertEquals(1, blobs.count());
        }
        assertEquals(store.blob(FixtureModel.SHA256), store.modelFile("STORIES").orElseThrow());
        assertEquals(2, store.list().size());

        assertEquals(0, store.remove("stories"));
        assertTrue(store.hasBlob(FixtureModel.SHA256, FixtureModel.SIZE));
        assertEquals(FixtureModel.SIZE, store.remove("tales"));
        assertFalse(Files.exists(store.blob(FixtureModel.SHA256)));
        assertTrue(store.list().isEmpty());
        SlmException e = assertThrows(SlmException.class, () -> store.remove("tales"));
        assertTrue(e.getMessage().startsWith("no model named tales in "), e.getMessage());
    }

    @Test
    void aCorruptManifestSaysHowToRepairItAndRmRemovesIt() throws Exception {
        ModelStore store = ModelStore.at(dir);
        new ModelImport(store).importFile(FixtureModel.path(), "good");
        new ModelImport(store).importFile(FixtureModel.path(), "bad");
        Files.writeString(dir.resolve("manifests/bad.json"), "{\"schema\":1,\"name\":\"bad\",\"sha256\":");
        SlmException e = assertThrows(SlmException.class, () -> store.manifest("bad"));
        assertTrue(e.getMessage().startsWith("the manifest of bad (" + dir.resolve("manifests/bad.json") + ") is corrupt: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("run `slm rm bad` and pull or import it again"), e.getMessage());

        var listed = store.list();
        assertEquals(2, listed.size());
        assertTrue(listed.get(0).problem().orElseThrow().contains("is corrupt"));
        assertTrue(listed.get(1).usable());

        Files.writeString(dir.resolve("manifests/bad.json"), "{\"schema\":1,\"name\":\"bad\",\"sha256\":\"xyz\",\"size\":3}");
        assertTrue(assertThrows(SlmException.class, () -> store.manifest("bad")).getMessage().contains("names no valid sha256 blob"));

        // rm is the repair; the shared blob stays for "good".
        assertEquals(0, store.remove("bad"));
        assertEquals(store.blob(FixtureModel.SHA256), store.modelFile("good").orElseThrow());
    }

    @Test
    void aMissingBlobIsReportedNotLoaded() throws Exception {
        ModelStore store = ModelStore.at(dir);
        new ModelImport(store).importFile(FixtureModel.path(), "m");
        Files.delete(store.blob(FixtureModel.SHA256));
        assertEquals("file missing or damaged: pull it again", store.list().get(0).problem().orElseThrow());
        SlmException e = assertThrows(SlmException.class, () -> store.modelFile("m"));
        assertTrue(e.getMessage().contains("run `slm pull m` (or import it) again"), e.getMessage());
    }

    @Test
    void importRefusesWhatSlmCouldNotRunAndLeavesNothing() throws Exception {
        ModelStore store = ModelStore.at(dir.resolve("models"));
        Path notGguf = Files.writeString(dir.resolve("notes.gguf"), "just some text, not a model at all....");
        assertThrows(GgufException.class, () -> new ModelImport(store).importFile(notGguf, "x"));

        Path future = Files.write(dir.resolve("future.gguf"), FixtureVariants.withArchitecture("futur"));
        SlmException e = assertThrows(SlmException.class, () -> new ModelImport(store).importFile(future, "x"));
        assertEquals(future + " is a 'futur' model, which the llama.cpp inside slm ("
                + SupportedArchitectures.llamaCppRelease() + ") cannot load: pick another"
                + " model (`slm list --available` shows the catalog)", e.getMessage());

        IllegalArgumentException badName = assertThrows(IllegalArgumentException.class,
                () -> new ModelImport(store).importFile(FixtureModel.path(), "../evil"));
        assertTrue(badName.getMessage().contains("is not a valid model name"));
        assertTrue(store.list().isEmpty());
    }

    @Test
    void importIntoAFullDiskSaysHowMuchIsMissing() {
        ModelStore store = ModelStore.at(dir.resolve("models"), d -> 1_000_000);
        SlmException e = assertThrows(SlmException.class, () -> new ModelImport(store).importFile(FixtureModel.path(), "m"));
        assertTrue(e.getMessage().startsWith("not enough disk space for importing stories260K.gguf: it needs 1.2 MB more"
                + " (+16.8 MB headroom) but " + dir.resolve("models") + " has 1.0 MB free"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("models")));
    }

    @Test
    void aNameTakenByAnotherFileIsNotOverwritten() throws Exception {
        ModelStore store = ModelStore.at(dir);
        new ModelImport(store).importFile(FixtureModel.path(), "m");
        Path other = Files.write(dir.resolve("other.gguf"), FixtureVariants.damagedWeights());
        SlmException e = assertThrows(SlmException.class, () -> new ModelImport(store).importFile(other, "m"));
        assertEquals("a different model is already called m: `slm rm m` first, or choose another --name", e.getMessage());
        assertEquals(FixtureModel.SHA256, store.manifest("m").orElseThrow().sha256());
        try (var partial = Files.list(store.partialDir())) {
            assertEquals(0, partial.count(), "the import's temporary copy is gone");
        }
    }

    @Test
    void theStoreLivesUnderSlmHomeThenTheXdgCache() {
        assertEquals(Path.of("/srv/slm/models"), ModelStore.defaultRoot(Map.of("SLM_HOME", "/srv/slm", "XDG_CACHE_HOME", "/c")));
        assertEquals(Path.of("/c/slm/models"), ModelStore.defaultRoot(Map.of("XDG_CACHE_HOME", "/c")));
        assertEquals(Path.of(System.getProperty("user.home"), ".cache/slm/models"), ModelStore.defaultRoot(Map.of()));
    }
}
