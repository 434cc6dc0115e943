package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.fixtures.Fault;
import dev.slm.fixtures.FixtureCatalog;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.FixtureVariants;
import dev.slm.fixtures.ModelHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model commands end to end, as a user types them, against a real HTTP server on loopback. */
class ModelCommandsTest {
    static final String PATH = "/test/stories/resolve/main/stories260K.gguf";
    static final String BLOB = "blobs/sha256-" + FixtureModel.SHA256;

    @TempDir
    Path dir;
    Path models;
    Path lock;
    final ModelHttpServer server = ModelHttpServer.start().serve(PATH, FixtureModel.path());

    record Outcome(int code, String out, String err) {
    }

    @BeforeEach
    void catalog() throws Exception {
        models = dir.resolve("models");
        lock = dir.resolve("test.lock");
        Files.writeString(lock, FixtureCatalog.entry("stories", server.url(PATH)).replace("[[model]]\n",
                        "[[model]]\naliases = [\"tiny-stories\"]\n")
                + FixtureCatalog.entry("missing", server.url("/nowhere.gguf"))
                + FixtureCatalog.entry("qwen3-test", FixtureModel.SHA256, FixtureModel.SIZE, "qwen3", server.url(PATH)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Runs {@code slm ARGS --models-dir ... --catalog ...} in this JVM, capturing stdout and stderr. */
    private Outcome slm(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        int at = all.contains("--") ? all.indexOf("--") : all.size();
        all.addAll(Math.min(at, all.size()), List.of("--models-dir", models.toString(), "--catalog", lock.toString()));
        all.remove("--");
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(all.toArray(String[]::new));
            System.out.flush();
            return new Outcome(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void pullListShowVerifyRmEndToEnd() throws Exception {
        Outcome pull = slm("pull", "tiny-stories");
        assertEquals(0, pull.code(), pull.err());
        assertEquals("stories  1.2 MB  sha256:270cba1bd510  pulled\n", pull.out());
        assertTrue(pull.err().contains("pulling stories: 100% (1.2 MB/1.2 MB"), pull.err());
        assertEquals("stories  1.2 MB  sha256:270cba1bd510  already present\n", slm("pull", "stories").out());
        assertEquals(1, server.requests(PATH).size());

        Outcome list = slm("list");
        assertTrue(list.out().startsWith("NAME     SIZE    QUANT  ARCH   VERIFIED\nstories  1.2 MB  F32    llama  20"), list.out());

        Outcome show = slm("show", "stories");
        assertTrue(show.out().contains("architecture      llama\n"), show.out());
        assertTrue(show.out().contains("sha256            " + FixtureModel.SHA256 + "\n"), show.out());
        assertTrue(show.out().contains("source            " + server.url(PATH) + "\n"), show.out());
        assertTrue(show.out().contains("aliases           tiny-stories\n"), show.out());
        assertTrue(show.out().contains("context length    2048 tokens\n"), show.out());

        Outcome verify = slm("verify");
        assertEquals(0, verify.code());
        assertEquals("ok      stories: sha256 " + FixtureModel.SHA256 + " matches\n", verify.out());

        Files.write(models.resolve(BLOB), FixtureVariants.damagedWeights());
        verify = slm("verify", "stories");
        assertEquals(1, verify.code());
        assertTrue(verify.out().startsWith("FAILED  stories: its file is damaged (sha256 "), verify.out());
        assertTrue(verify.out().endsWith("and was deleted: run `slm pull stories` (or import it) again\n"), verify.out());
        assertFalse(Files.exists(models.resolve(BLOB)));
        assertTrue(slm("list").out().contains("BROKEN: file missing or damaged: pull it again"));

        assertEquals(0, slm("pull", "stories").code());
        assertEquals("removed stories (freed 1.2 MB)\n", slm("rm", "stories").out());
        assertFalse(Files.exists(models.resolve(BLOB)));
    }

    @Test
    void runByNamePullsOnFirstUseAndOfflineNeverTouchesTheNetwork() {
        Outcome offline = slm("run", "--offline", "--temperature", "0", "-n", "12", "-t", "1", "--", "stories", "Once upon a time");
        assertEquals(1, offline.code());
        assertEquals("slm: error: stories is not in the model store (" + models + ") and --offline forbids downloading it:"
                + " run `slm pull stories` while online\n", offline.err());
        assertTrue(server.requests(PATH).isEmpty());

        Outcome run = slm("run", "--temperature", "0", "-n", "12", "-t", "1", "--", "stories", "Once upon a time");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().startsWith(FixtureModel.GREEDY_CONTINUATION), run.out());
        assertTrue(run.err().startsWith("stories is not pulled yet: downloading 1.2 MB into " + models + "\n"), run.err());

        Outcome again = slm("run", "--offline", "--temperature", "0", "-n", "12", "-t", "1", "--", "tiny-stories", "Once upon a time");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().startsWith(FixtureModel.GREEDY_CONTINUATION));
        assertEquals(1, server.requests(PATH).size());
    }

    @Test
    void importedModelsRunByNameOffline() {
        Outcome imported = slm("import", FixtureModel.path().toString(), "--name", "Tales");
        assertEquals(0, imported.code(), imported.err());
        assertEquals("imported tales  1.2 MB  llama  F32  sha256:270cba1bd510\n", imported.out());
        Outcome run = slm("run", "--offline", "--temperature", "0", "-n", "12", "-t", "1", "--", "tales", "Once upon a time");
        assertTrue(run.out().startsWith(FixtureModel.GREEDY_CONTINUATION), run.err());
        // The catalog's "stories" is the same file: pulling it fetches nothing.
        assertTrue(slm("pull", "stories").out().endsWith("already present\n"));
        assertTrue(server.requests(PATH).isEmpty());
    }

    @Test
    void badNamesAndBadSourcesEachGetOneClearLine() throws Exception {
        Outcome typo = slm("pull", "storeis");
        assertEquals(1, typo.code());
        assertEquals("slm: error: unknown model 'storeis' (did you mean stories?): `slm list --available` shows the catalog,"
                + " `slm list` the models pulled\n", typo.err());

        Outcome qwen3 = slm("pull", "qwen3-test");
        assertEquals("slm: error: qwen3-test is a 'qwen3' model, which the llama.cpp inside slm (b4916) cannot load: pick"
                + " another model (`slm list --available` shows the catalog)\n", qwen3.err());
        // qwen3-4b is in the shipped catalog now; a family with no entry still gets the hint.
        assertTrue(slm("pull", "llama4-scout").err().contains("(llama4 models need a newer llama.cpp than the b4916 inside slm)"));
        assertTrue(server.requests(PATH).isEmpty(), "refused before downloading");

        Outcome missing = slm("pull", "missing");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("slm: error: cannot download missing: " + server.url("/nowhere.gguf") + ": HTTP 404"),
                missing.err());

        Outcome path = slm("run", "--", "no/such/model.gguf", "hi");
        assertEquals("slm: error: model file not found: no/such/model.gguf (pass the path of a .gguf file, or a model"
                + " name: `slm list --available`)\n", path.err());
        assertEquals(2, slm("import", FixtureModel.path().toString(), "--name", "../up").code());
    }

    @Test
    void aCorruptManifestIsReportedAndRmRepairsIt() throws Exception {
        assertEquals(0, slm("pull", "stories").code());
        Files.writeString(models.resolve("manifests/stories.json"), "{ not json");
        Outcome run = slm("run", "--offline", "--", "stories", "Once upon a time");
        assertEquals(1, run.code());
        assertTrue(run.err().startsWith("slm: error: the manifest of stories (" + models.resolve("manifests/stories.json")
                + ") is corrupt: it is not valid manifest JSON"), run.err());
        assertTrue(run.err().endsWith("; run `slm rm stories` and pull or import it again\n"), run.err());
        assertTrue(slm("list").out().contains("stories  -     -      -     CORRUPT MANIFEST (`slm rm stories`)"), slm("list").out());
        assertEquals("removed stories\n", slm("rm", "stories").out());
        assertEquals(0, slm("pull", "stories").code());
    }

    @Test
    void aDroppedDownloadIsResumedByTheNextPull() throws Exception {
        // The link drops, then the server is gone for good (404 is not retried): the pull stops.
        server.script(PATH, Fault.dropAfter(600_000), Fault.status(404));
        Outcome first = slm("pull", "stories");
        assertEquals(1, first.code());
        assertTrue(first.err().contains("(600 kB of 1.2 MB are kept: pull again to resume)"), first.err());
        long served = server.bytesServed(PATH);
        Outcome second = slm("pull", "stories");
        assertEquals(0, second.code(), second.err());
        assertTrue(second.err().contains("resuming at 600 kB"), second.err());
        assertEquals(FixtureModel.SIZE - 600_000, server.bytesServed(PATH) - served, "only the missing bytes were fetched");
    }
}
