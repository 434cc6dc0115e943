package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.bench.SyntheticProjector;
import dev.slm.fixtures.FixtureCatalog;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.JavaProcess;
import dev.slm.fixtures.ModelHttpServer;
import dev.slm.fixtures.TestImages;
import dev.slm.gguf.GgufReader;
import dev.slm.store.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `slm run --image`, `--mmproj` and `/image` in `slm chat`, run as a user runs them. */
class VisionCliTest {
    private static final String MODEL = FixtureModel.path().toString();
    private static final Pattern PROMPT_TOKENS = Pattern.compile("prompt: (\\d+) tokens");

    @TempDir
    static Path dir;
    static String projector;
    static String image;

    @BeforeAll
    static void files() {
        Path p = dir.resolve("mmproj.gguf");
        SyntheticProjector.write(p, Math.toIntExact(GgufReader.read(FixtureModel.path()).embeddingLength().orElseThrow()), 3);
        projector = p.toString();
        image = TestImages.write(dir, "gradient.png", TestImages.png(40)).toString();
    }

    private static JavaProcess.Result slm(String stdin, String... args) throws Exception {
        return JavaProcess.run(Main.class.getName(), List.of(args), stdin, 60, Map.of());
    }

    private static int promptTokens(JavaProcess.Result r) {
        Matcher m = PROMPT_TOKENS.matcher(r.stderr());
        assertTrue(m.find(), r.stderr());
        return Integer.parseInt(m.group(1));
    }

    @Test
    void runLooksAtTheImagesGivenAndStreamsTheAnswer() throws Exception {
        JavaProcess.Result text = slm(null, "run", MODEL, "--mmproj", projector, "Describe it.", "-n", "4",
                "--temperature", "0", "--verbose");
        JavaProcess.Result one = slm(null, "run", MODEL, "--mmproj", projector, "--image", image, "Describe it.",
                "-n", "4", "--temperature", "0", "--verbose");
        JavaProcess.Result two = slm(null, "run", MODEL, "--mmproj", projector, "--image", image, "--image", image,
                "Describe it.", "-n", "4", "--temperature", "0", "--verbose");
        for (JavaProcess.Result r : List.of(text, one, two)) {
            assertEquals(0, r.exitCode(), r.stderr());
        }
        assertFalse(one.stdout().isBlank(), "an answer was written");
        // The text-only run continues the prompt as plain text (the fixture has no template); with an
        // image it goes through llama.cpp's ChatML, so compare one image with two.
        int perImage = promptTokens(two) - promptTokens(one);
        assertTrue(perImage >= SyntheticProjector.TOKENS_PER_IMAGE && perImage <= SyntheticProjector.TOKENS_PER_IMAGE + 3,
                promptTokens(one) + " prompt tokens with one image, " + promptTokens(two) + " with two");
    }

    @Test
    void imagesTheModelCannotSeeFailBeforeLoadingWithOneLine() throws Exception {
        JavaProcess.Result noProjector = slm(null, "run", MODEL, "--image", image, "What is it?");
        assertEquals(1, noProjector.exitCode());
        assertTrue(noProjector.stderr().contains("cannot see images") && noProjector.stderr().contains("--mmproj"),
                noProjector.stderr());

        Path notAnImage = TestImages.write(dir, "notes.png", "just text".getBytes());
        JavaProcess.Result text = slm(null, "run", MODEL, "--mmproj", projector, "--image", notAnImage.toString(), "Hi");
        assertEquals(1, text.exitCode());
        assertTrue(text.stderr().contains("notes.png") && text.stderr().contains("PNG, JPEG"), text.stderr());

        Path damaged = TestImages.write(dir, "damaged.png", TestImages.truncatedPng());
        JavaProcess.Result bad = slm(null, "run", MODEL, "--mmproj", projector, "--image", damaged.toString(), "Hi");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.stderr().contains("could not decode an image"), bad.stderr());
        assertEquals(1, bad.stderr().strip().lines().count(), bad.stderr());

        JavaProcess.Result wrongProjector = slm(null, "run", MODEL, "--mmproj", MODEL, "--image", image, "Hi");
        assertEquals(1, wrongProjector.exitCode());
        assertTrue(wrongProjector.stderr().contains("not a vision projector"), wrongProjector.stderr());
    }

    @Test
    void chatAttachesImagesWithTheImageCommand() throws Exception {
        JavaProcess.Result r = slm("/image " + image + "\nWhat is it?\n/image nowhere.png\n/show info\n/exit\n",
                "chat", MODEL, "--mmproj", projector, "-n", "3", "--temperature", "0", "--verbose");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("attached to your next message"), r.stderr());
        assertTrue(r.stderr().contains("cannot read the image nowhere.png"), r.stderr());
        assertTrue(r.stderr().contains("images          yes"), r.stderr());
        assertTrue(promptTokens(r) > SyntheticProjector.TOKENS_PER_IMAGE, r.stderr());

        JavaProcess.Result blind = slm("/image " + image + "\n/exit\n", "chat", MODEL);
        assertEquals(0, blind.exitCode(), blind.stderr());
        assertTrue(blind.stderr().contains("this model cannot see images"), blind.stderr());
    }

    @Test
    void aVisionModelOfTheCatalogIsPulledWithItsProjectorAndSeesImagesByName() throws Exception {
        Path models = dir.resolve("models");
        try (ModelHttpServer server = ModelHttpServer.start().serve("/m.gguf", FixtureModel.path())
                .serve("/p.gguf", Path.of(projector))) {
            Path lock = dir.resolve("vision.lock");
            Files.writeString(lock, FixtureCatalog.visionEntry("seer", server.url("/m.gguf"), Sha256.of(Path.of(projector)),
                    Files.size(Path.of(projector)), server.url("/p.gguf")));
            String[] store = {"--models-dir", models.toString(), "--catalog", lock.toString()};
            JavaProcess.Result available = slm(null, concat(new String[] {"list", "--available"}, store));
            assertEquals(0, available.exitCode(), available.stderr());
            assertTrue(available.stdout().contains("IMAGES") && available.stdout().lines()
                    .anyMatch(l -> l.startsWith("seer") && l.contains("yes")), available.stdout());

            JavaProcess.Result pull = slm(null, concat(new String[] {"pull", "seer"}, store));
            assertEquals(0, pull.exitCode(), pull.stderr());
            assertTrue(pull.stdout().contains("+ vision projector"), pull.stdout());

            JavaProcess.Result show = slm(null, concat(new String[] {"show", "seer"}, store));
            assertEquals(0, show.exitCode(), show.stderr());
            assertTrue(show.stdout().lines().anyMatch(l -> l.startsWith("images") && l.contains("yes (vision projector mmproj.gguf")),
                    show.stdout());

            JavaProcess.Result run = slm(null, concat(new String[] {"run", "seer", "--image", image, "Describe it.", "-n", "3",
                    "--temperature", "0", "--verbose"}, store));
            assertEquals(0, run.exitCode(), run.stderr());
            assertTrue(promptTokens(run) > SyntheticProjector.TOKENS_PER_IMAGE, run.stderr());
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
