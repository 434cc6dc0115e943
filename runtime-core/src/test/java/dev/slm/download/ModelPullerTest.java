package dev.slm.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import dev.slm.catalog.SupportedArchitectures;
import dev.slm.catalog.Catalog;
import dev.slm.catalog.CatalogEntry;
import dev.slm.engine.Completion;
import dev.slm.engine.Model;
import dev.slm.engine.ModelOptions;
import dev.slm.engine.SamplingOptions;
import dev.slm.fixtures.FixtureCatalog;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.ModelHttpServer;
import dev.slm.store.BlobLock;
import dev.slm.store.DiskSpace;
import dev.slm.store.ModelImport;
import dev.slm.store.ModelStore;
import dev.slm.store.Sha256;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelPullerTest {
    static final String PATH = "/org/stories/resolve/main/stories260K.gguf";

    @TempDir
    Path dir;
    final ModelHttpServer server = ModelHttpServer.start().serve(PATH, FixtureModel.path());
    final List<Process> children = new ArrayList<>();

    @AfterEach
    void stop() {
        children.forEach(Process::destroyForcibly);
        server.close();
    }

    private Path lockFile() throws Exception {
        Path lock = dir.resolve("test.lock");
        Files.writeString(lock, FixtureCatalog.entry("stories", server.url(PATH)));
        return lock;
    }

    private CatalogEntry entry() throws Exception {
        return Catalog.read(lockFile(), false).find("stories").orElseThrow();
    }

    private ModelPuller.Result pull(ModelStore store, CatalogEntry entry, ProgressReporter progress) {
        try (Downloader d = new Downloader(DownloaderTest.fastSettings(), DiskSpace.SYSTEM)) {
            return new ModelPuller(store, d).pull(entry, progress);
        }
    }

    @Test
    void aPulledModelGeneratesTextThroughTheEngine() throws Exception {
        ModelStore store = ModelStore.at(dir.resolve("models"));
        ModelPuller.Result result = pull(store, entry(), ProgressReporter.SILENT);
        assertTrue(result.downloaded());
        assertEquals(server.url(PATH).toString(), result.manifest().source());
        Path file = store.modelFile("stories").orElseThrow();
        assertEquals(FixtureModel.SHA256, Sha256.of(file));
        try (Model model = Model.open(file, ModelOptions.defaults().withThreads(1))) {
            Completion c = model.generate(FixtureModel.PROMPT, SamplingOptions.greedy().withMaxTokens(12)).await();
            assertTrue(c.text().startsWith(FixtureModel.GREEDY_CONTINUATION), c.text());
        }
        // A second pull finds it in place and touches no network.
        assertFalse(pull(store, entry(), ProgressReporter.SILENT).downloaded());
        assertEquals(1, server.requests(PATH).size());
    }

    @Test
    void parallelPullsInThreadsEndWithOneVerifiedBlobFromOneDownload() throws Exception {
        server.throttle(Duration.ofMillis(2));
        ModelStore store = ModelStore.at(dir.resolve("models"));
        CatalogEntry entry = entry();
        int threads = 4;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<ModelPuller.Result>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            results.add(pool.submit((Callable<ModelPuller.Result>) () -> {
                go.await();
                return pull(store, entry, ProgressReporter.SILENT);
            }));
        }
        go.countDown();
        int downloads = 0;
        for (Future<ModelPuller.Result> r : results) {
            downloads += r.get(60, TimeUnit.SECONDS).downloaded() ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(1, downloads);
        assertEquals(FixtureModel.SIZE, server.bytesServed(PATH), "one writer, one download");
        assertEquals(FixtureModel.SHA256, Sha256.of(store.blob(FixtureModel.SHA256)));
        try (var partials = Files.list(store.partialDir())) {
            assertEquals(0, partials.count());
        }
    }

    @Test
    void parallelPullsInTwoProcessesAreCoordinatedByTheFileLock() throws Exception {
        ModelStore store = ModelStore.at(dir.resolve("models"));
        Path lock = lockFile();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        // Hold the lock here first, so both children provably wait on it, then let them race.
        try (BlobLock held = store.lock(FixtureModel.SHA256, line -> { })) {
            for (int i = 0; i < 2; i++) {
                spawn(lines, "pull", store.root().toString(), lock.toString(), "stories");
            }
            int waiting = 0;
            while (waiting < 2) {
                String line = lines.poll(60, TimeUnit.SECONDS);
                assertTrue(line != null, "the children never reported waiting for the lock");
                waiting += line.contains("waiting for process " + ProcessHandle.current().pid()) ? 1 : 0;
            }
        }
        int downloads = 0;
        for (Process p : children) {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        }
        for (String line; (line = lines.poll()) != null; ) {
            downloads += line.equals("pulled downloaded=true") ? 1 : 0;
        }
        assertEquals(1, downloads);
        assertEquals(FixtureModel.SIZE, server.bytesServed(PATH));
        assertEquals(FixtureModel.SHA256, Sha256.of(store.blob(FixtureModel.SHA256)));
    }

    @Test
    void aLockHeldByAKilledProcessIsRecovered() throws Exception {
        ModelStore store = ModelStore.at(dir.resolve("models"));
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Process holder = spawn(lines, "hold-lock", store.lockFile(FixtureModel.SHA256).toString());
        assertEquals("locked", lines.poll(60, TimeUnit.SECONDS));
        holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var result = pull(store, entry(), ProgressReporter.to(new PrintStream(out, true, StandardCharsets.UTF_8), false));
        assertTrue(result.downloaded());
        String log = out.toString(StandardCharsets.UTF_8);
        // Recovering a dead process's lock is routine: no word about locks or processes, just the pull.
        assertFalse(log.contains("lock"), log);
        assertFalse(log.contains("process " + holder.pid()), log);
    }

    @Test
    void unrunnableOrUnverifiableEntriesAreRefusedBeforeAnyDownload() throws Exception {
        ModelStore store = ModelStore.at(dir.resolve("models"));
        Path lock = dir.resolve("bad.lock");
        Files.writeString(lock, FixtureCatalog.entry("future-1b", FixtureModel.SHA256, 639_446_688L, "future9", server.url(PATH))
                + FixtureCatalog.entry("unpinned", null, FixtureModel.SIZE, "llama", server.url(PATH)));
        Catalog catalog = Catalog.read(lock, false);
        SlmException e = assertThrows(SlmException.class,
                () -> pull(store, catalog.find("future-1b").orElseThrow(), ProgressReporter.SILENT));
        assertTrue(e.getMessage().startsWith("future-1b is a 'future9' model, which the llama.cpp inside slm ("
                + SupportedArchitectures.llamaCppRelease() + ") cannot load"), e.getMessage());
        e = assertThrows(SlmException.class, () -> pull(store, catalog.find("unpinned").orElseThrow(), ProgressReporter.SILENT));
        assertTrue(e.getMessage().startsWith("unpinned has no sha256 in its lock file, so a download could not be verified"));
        assertTrue(server.requests(PATH).isEmpty());
        assertTrue(store.list().isEmpty());
    }

    @Test
    void aFileAlreadyInTheStoreUnderAnotherNameIsNotDownloadedAgain() throws Exception {
        ModelStore store = ModelStore.at(dir.resolve("models"));
        new ModelImport(store).importFile(FixtureModel.path(), "mine");
        ModelPuller.Result result = pull(store, entry(), ProgressReporter.SILENT);
        assertFalse(result.downloaded());
        assertTrue(server.requests(PATH).isEmpty());
        assertEquals(store.modelFile("mine"), store.modelFile("stories"));
    }

    @Test
    void aHashMismatchLeavesTheStoreAsItWas() throws Exception {
        server.serve(PATH, dev.slm.fixtures.FixtureVariants.damagedWeights());
        ModelStore store = ModelStore.at(dir.resolve("models"));
        SlmException e = assertThrows(SlmException.class, () -> pull(store, entry(), ProgressReporter.SILENT));
        assertTrue(e.getMessage().contains("sha256 mismatch"), e.getMessage());
        assertTrue(store.list().isEmpty());
        assertFalse(Files.exists(store.blob(FixtureModel.SHA256)));
        try (var partials = Files.list(store.partialDir())) {
            assertEquals(0, partials.count());
        }
    }

    private Process spawn(BlockingQueue<String> lines, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), PullProcess.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        children.add(p);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (java.io.IOException ignored) {
                // The child was killed.
            }
        });
        reader.setDaemon(true);
        reader.start();
        return p;
    }
}
