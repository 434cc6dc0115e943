package dev.slm.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import dev.slm.bench.SyntheticProjector;
import dev.slm.catalog.Catalog;
import dev.slm.catalog.CatalogEntry;
import dev.slm.engine.ChatImage;
import dev.slm.engine.ChatMessage;
import dev.slm.engine.Model;
import dev.slm.engine.ModelOptions;
import dev.slm.fixtures.FixtureCatalog;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.ModelHttpServer;
import dev.slm.fixtures.TestImages;
import dev.slm.gguf.GgufReader;
import dev.slm.store.DiskSpace;
import dev.slm.store.Manifest;
import dev.slm.store.ModelStore;
import dev.slm.store.ModelVerification;
import dev.slm.store.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A vision model of the catalog is a pair: model and projector, pulled, verified and removed together. */
class VisionPullTest {
    static final String MODEL = "/org/vision/resolve/main/stories260K.gguf";
    static final String PROJECTOR = "/org/vision/resolve/main/mmproj.gguf";

    @TempDir
    Path dir;
    Path projector;
    ModelHttpServer server;

    @BeforeEach
    void serve() {
        projector = dir.resolve("mmproj.gguf");
        SyntheticProjector.write(projector, Math.toIntExact(GgufReader.read(FixtureModel.path()).embeddingLength().orElseThrow()), 1);
        server = ModelHttpServer.start().serve(MODEL, FixtureModel.path()).serve(PROJECTOR, projector);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private CatalogEntry entry(String projectorSha256) throws Exception {
        Path lock = dir.resolve("vision.lock");
        Files.writeString(lock, FixtureCatalog.visionEntry("seer", server.url(MODEL), projectorSha256,
                Files.size(projector), server.url(PROJECTOR)));
        return Catalog.read(lock, false).find("seer").orElseThrow();
    }

    private ModelPuller.Result pull(ModelStore store, CatalogEntry entry) {
        try (Downloader d = new Downloader(DownloaderTest.fastSettings(), DiskSpace.SYSTEM)) {
            return new ModelPuller(store, d).pull(entry, ProgressReporter.SILENT);
        }
    }

    @Test
    void theModelAndItsProjectorArePulledTogetherAndSeeImages() throws Exception {
        ModelStore store = ModelStore.at(dir.resolve("models"));
        CatalogEntry entry = entry(Sha256.of(projector));
        assertTrue(entry.seesImages());
        ModelPuller.Result result = pull(store, entry);
        assertTrue(result.downloaded());
        Manifest.Projector p = result.manifest().visionProjector().orElseThrow();
        assertEquals(Sha256.of(projector), p.sha256());
        assertEquals(server.url(PROJECTOR).toString(), p.source());
        Path model = store.modelFile("seer").orElseThrow();
        Path pulledProjector = store.projectorFile("seer").orElseThrow();
        try (Model m = Model.open(model, ModelOptions.defaults().withContextSize(256).withProjector(pulledProjector))) {
            int tokens = m.countChatTokens(List.of(ChatMessage.user("What?", List.of(ChatImage.of(TestImages.png(32))))));
            assertTrue(tokens > SyntheticProjector.TOKENS_PER_IMAGE, tokens + " tokens");
        }
        // Pulled again: both are in place, nothing is fetched.
        assertFalse(pull(store, entry).downloaded());
        assertEquals(1, server.requests(PROJECTOR).size());

        assertTrue(new ModelVerification(store).verify("seer").ok());
        Files.write(pulledProjector, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        ModelVerification.Result damaged = new ModelVerification(store).verify("seer");
        assertFalse(damaged.ok());
        assertTrue(damaged.detail().contains("its vision projector is damaged"), damaged.detail());
        assertTrue(store.list().getFirst().problem().orElseThrow().contains("vision projector"), store.list().toString());

        // The repair is a pull, which fetches only the projector.
        assertTrue(pull(store, entry).downloaded());
        assertEquals(1, server.requests(MODEL).size());
        store.remove("seer");
        try (var blobs = Files.list(store.root().resolve("blobs"))) {
            assertEquals(0, blobs.filter(f -> f.getFileName().toString().startsWith("sha256-")).count(),
                    "removing the name removes both files");
        }
    }

    @Test
    void aProjectorThatDoesNotMatchItsPinIsRefusedAndNothingIsInstalled() throws Exception {
        ModelStore store = ModelStore.at(dir.resolve("models"));
        CatalogEntry wrong = entry("0".repeat(64));
        SlmException e = assertThrows(SlmException.class, () -> pull(store, wrong));
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
        assertTrue(store.manifest("seer").isEmpty(), "no manifest names a half-pulled pair");
    }
}
