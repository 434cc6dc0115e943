package dev.slm.download;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import dev.slm.fixtures.Fault;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.FixtureVariants;
import dev.slm.fixtures.ModelHttpServer;
import dev.slm.store.DiskSpace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloaderTest {
    static final String PATH = "/org/repo/resolve/main/stories260K.gguf";
    static final long SIZE = FixtureModel.SIZE;

    @TempDir
    Path dir;
    final ModelHttpServer server = ModelHttpServer.start().serve(PATH, FixtureModel.path());
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    final ProgressReporter progress = ProgressReporter.to(new PrintStream(log, true, StandardCharsets.UTF_8), false);

    /** Retries fast so the tests are; everything else as slm uses it. */
    static DownloadSettings fastSettings() {
        return DownloadSettings.fromEnvironment(Map.of())
                .withRetry(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(40)))
                .withStallTimeout(Duration.ofMillis(1500))
                .withToken(Optional.empty())
                .withProxy(HttpClient.Builder.NO_PROXY);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private URI fetch(DownloadSettings settings, DiskSpace disk, URI... urls) {
        try (Downloader d = new Downloader(settings, disk)) {
            return d.fetch(new DownloadSpec("stories", List.of(urls), SIZE, FixtureModel.SHA256),
                    dir.resolve("partial/x.part"), dir.resolve("blobs/x"), progress, file -> { });
        }
    }

    private URI fetch(URI... urls) {
        return fetch(fastSettings(), DiskSpace.SYSTEM, urls);
    }

    private void assertInstalled() throws Exception {
        assertArrayEquals(FixtureVariants.original(), Files.readAllBytes(dir.resolve("blobs/x")));
        assertFalse(Files.exists(dir.resolve("partial/x.part")), "the partial file is renamed, not copied");
    }

    private void assertNothingLeft() {
        assertFalse(Files.exists(dir.resolve("blobs/x")));
        assertFalse(Files.exists(dir.resolve("partial/x.part")));
    }

    @Test
    void aCleanDownloadIsVerifiedAndRenamedIntoPlace() throws Exception {
        assertEquals(server.url(PATH), fetch(server.url(PATH)));
        assertInstalled();
        assertEquals(SIZE, server.bytesServed(PATH));
        String lines = log.toString(StandardCharsets.UTF_8);
        assertTrue(lines.startsWith("pulling stories: 1.2 MB\n"), lines);
        assertTrue(lines.contains("pulling stories: 100% (1.2 MB/1.2 MB, "), lines);
        assertEquals("identity", server.requests(PATH).get(0).header("Accept-Encoding"));
    }

    @Test
    void aDroppedConnectionResumesWithARangeAndFetchesOnlyTheMissingBytes() throws Exception {
        server.script(PATH, Fault.dropAfter(300_000), Fault.dropAfter(200_000));
        fetch(server.url(PATH));
        assertInstalled();
        assertEquals(SIZE, server.bytesServed(PATH), "not one byte fetched twice");
        var requests = server.requests(PATH);
        assertEquals(3, requests.size());
        assertNull(requests.get(0).header("Range"));
        assertEquals("bytes=300000-", requests.get(1).header("Range"));
        assertEquals("bytes=500000-", requests.get(2).header("Range"));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("retrying in"));
    }

    @Test
    void aPullThatGaveUpIsResumedByTheNextOne() throws Exception {
        // Every try drops; none makes progress after the first, so the mirror is given up.
        server.script(PATH, Fault.dropAfter(400_000), Fault.status(503), Fault.status(503), Fault.status(503));
        SlmException e = assertThrows(SlmException.class, () -> fetch(server.url(PATH)));
        assertTrue(e.getMessage().startsWith("cannot download stories: " + server.url(PATH) + ": HTTP 503 (gave up after 3 tries)"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(400 kB of 1.2 MB are kept: pull again to resume)"), e.getMessage());
        assertEquals(400_000, Files.size(dir.resolve("partial/x.part")));

        long before = server.bytesServed(PATH);
        fetch(server.url(PATH));
        assertInstalled();
        assertEquals(SIZE - 400_000, server.bytesServed(PATH) - before, "only the missing bytes were fetched");
    }

    @Test
    void serverErrorsAreRetriedWithBackoff() throws Exception {
        server.script(PATH, Fault.status(500), Fault.status(502));
        fetch(server.url(PATH));
        assertInstalled();
        assertEquals(3, server.requests(PATH).size());
    }

    @Test
    void aStalledConnectionTimesOutAndResumes() throws Exception {
        server.script(PATH, Fault.stall(100_000, Duration.ofSeconds(4)));
        fetch(server.url(PATH));
        assertInstalled();
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("timed out: no data for"), log.toString(StandardCharsets.UTF_8));
        assertEquals("bytes=100000-", server.requests(PATH).get(1).header("Range"));
    }

    @Test
    void aServerThatIgnoresRangesIsReadFromTheStart() throws Exception {
        server.script(PATH, Fault.dropAfter(500_000), Fault.ignoreRange());
        fetch(server.url(PATH));
        assertInstalled();
        assertEquals(500_000 + SIZE, server.bytesServed(PATH));
    }

    @Test
    void notFoundAndForbiddenAreNotRetriedAndSaySo() {
        server.script(PATH, Fault.status(404));
        SlmException e = assertThrows(SlmException.class, () -> fetch(server.url(PATH)));
        assertEquals("cannot download stories: " + server.url(PATH) + ": HTTP 404 (not found: the file was moved or"
                + " removed upstream; a newer slm, or a mirror in your lock file, may have it)", e.getMessage());
        assertEquals(1, server.requests(PATH).size());
        server.script(PATH, Fault.status(403));
        e = assertThrows(SlmException.class, () -> fetch(server.url(PATH)));
        assertTrue(e.getMessage().contains("HTTP 403 (access denied: for a gated Hugging Face model accept its licence"
                + " on the model page and set HF_TOKEN"), e.getMessage());
        assertNothingLeft();
    }

    @Test
    void mirrorsAreTriedInOrder() throws Exception {
        String other = "/mirror/stories260K.gguf";
        server.serve(other, FixtureModel.path());
        URI used = fetch(server.url("/gone.gguf"), server.url(other));
        assertEquals(server.url(other), used);
        assertInstalled();
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("giving up on 127.0.0.1 for stories: HTTP 404"));
    }

    @Test
    void aServerThatLiesAboutTheLengthIsRefusedBeforeAnythingIsWritten() {
        server.script(PATH, Fault.wrongLength(SIZE + 4096));
        SlmException e = assertThrows(SlmException.class, () -> fetch(server.url(PATH)));
        assertEquals("cannot download stories: " + server.url(PATH) + ": size mismatch: the server reports "
                + (SIZE + 4096) + " bytes but the lock file pins " + SIZE
                + " (the file upstream changed, or this is the wrong file); nothing was kept from it", e.getMessage());
        assertEquals(0, server.bytesServed(PATH));
    }

    @Test
    void aWrongLengthOnResumeIsCaughtFromTheContentRange() {
        server.script(PATH, Fault.dropAfter(1000), Fault.wrongLength(SIZE - 1));
        SlmException e = assertThrows(SlmException.class, () -> fetch(server.url(PATH)));
        assertTrue(e.getMessage().contains("size mismatch: the server reports " + (SIZE - 1) + " bytes"), e.getMessage());
    }

    @Test
    void aHashMismatchDeletesTheDownloadAndSaysSo() {
        String bad = "/bad/stories260K.gguf";
        server.serve(bad, FixtureVariants.damagedWeights());
        SlmException e = assertThrows(SlmException.class, () -> fetch(server.url(bad)));
        assertTrue(e.getMessage().startsWith("cannot download stories: " + server.url(bad) + ": sha256 mismatch: the file"
                + " received hashes to "), e.getMessage());
        assertTrue(e.getMessage().endsWith("but the lock file pins " + FixtureModel.SHA256 + "; the download was deleted"),
                e.getMessage());
        assertNothingLeft();
    }

    @Test
    void aBadMirrorDoesNotSpoilTheNextOne() throws Exception {
        String bad = "/bad/stories260K.gguf";
        server.serve(bad, FixtureVariants.damagedWeights());
        assertEquals(server.url(PATH), fetch(server.url(bad), server.url(PATH)));
        assertInstalled();
    }

    @Test
    void aFullDiskIsFoundBeforeDownloading() {
        SlmException e = assertThrows(SlmException.class, () -> fetch(fastSettings(), d -> 4096, server.url(PATH)));
        assertTrue(e.getMessage().startsWith("not enough disk space for stories: it needs 1.2 MB more"), e.getMessage());
        assertTrue(server.requests(PATH).isEmpty());
    }

    @Test
    void redirectsAreFollowed() throws Exception {
        server.script("/resolve/stories.gguf", Fault.redirect(PATH));
        fetch(server.url("/resolve/stories.gguf"));
        assertInstalled();
    }

    @Test
    void theTokenGoesOnlyToItsHosts() throws Exception {
        var settings = fastSettings().withToken(Optional.of(new BearerToken("hf_secret", Set.of("127.0.0.1"))));
        fetch(settings, DiskSpace.SYSTEM, server.url(PATH));
        assertEquals("Bearer hf_secret", server.requests(PATH).get(0).header("Authorization"));

        Files.delete(dir.resolve("blobs/x"));
        var elsewhere = fastSettings().withToken(Optional.of(new BearerToken("hf_secret", Set.of("huggingface.co"))));
        fetch(elsewhere, DiskSpace.SYSTEM, server.url(PATH));
        assertNull(server.requests(PATH).get(1).header("Authorization"));
        assertFalse(new BearerToken("t", Set.of("huggingface.co")).appliesTo(URI.create("http://huggingface.co/x")),
                "never in clear text over the network");
        assertEquals(Optional.of("hf_x"), BearerToken.huggingFace(Map.of("HF_TOKEN", "hf_x")).map(BearerToken::token));
    }

    @Test
    void httpsProxyAndNoProxyFromTheEnvironmentAreHonoured() throws Exception {
        // The test server doubles as the proxy: it serves an absolute-URI request by its path.
        var proxy = EnvironmentProxy.fromEnvironment(Map.of("http_proxy", "127.0.0.1:" + server.port(),
                "NO_PROXY", "localhost,.internal.example"));
        fetch(fastSettings().withProxy(proxy), DiskSpace.SYSTEM, URI.create("http://models.invalid" + PATH));
        assertInstalled();
        assertEquals("http://models.invalid" + PATH, server.requests(PATH).get(0).uri().toString());

        var https = EnvironmentProxy.fromEnvironment(Map.of("HTTPS_PROXY", "http://proxy.example:3128", "NO_PROXY", ".internal.example"));
        assertEquals("proxy.example:3128", https.select(URI.create("https://huggingface.co/x")).get(0).address().toString()
                .replace("/<unresolved>", ""));
        assertEquals(java.net.Proxy.NO_PROXY, https.select(URI.create("https://hub.internal.example/x")).get(0));
        assertEquals(java.net.Proxy.NO_PROXY, https.select(URI.create("http://huggingface.co/x")).get(0));
    }
}
