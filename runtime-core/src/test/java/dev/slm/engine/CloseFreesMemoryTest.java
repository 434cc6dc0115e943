package dev.slm.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.slm.bench.TransformerShape;
import dev.slm.bench.SyntheticModel;
import dev.slm.engine.llamacpp.LlamaNativeLibrary;
import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.gguf.GgmlType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model.close() gives the weights' memory back (java-llama.cpp 4.2.0's own library kept it: #102). */
class CloseFreesMemoryTest {
    /** About 66 MB of F32 weights: far above the JVM's own noise in resident memory. */
    private static final TransformerShape SHAPE = new TransformerShape("rss-probe", "llama", 256, 8, 8, 8, 1024, 32000, 2048,
            1e4f, 1e-5f, false);

    @TempDir
    Path tmp;

    @Test
    void closingAModelGivesItsMemoryBack() throws IOException {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        Path file = tmp.resolve("rss-probe.gguf");
        SyntheticModel.write(SHAPE, GgmlType.F32, file, 7);
        long size = Files.size(file);
        // Without mmap the weights are read into memory llama.cpp allocates, so they count in RSS.
        ModelOptions options = ModelOptions.defaults().withThreads(1).withContextSize(64).withMmap(false);
        try (Model warm = Model.open(file, options)) {
            warm.countTokens("warm up the native library and its threads");
        }
        long before = rss();
        Model model = Model.open(file, options);
        model.generate("the cat", SamplingOptions.greedy().withMaxTokens(2)).await();
        long loaded = rss();
        model.close();
        long after = rss();
        String figures = "model " + size / 1024 + " KiB; RSS before " + before / 1024 + ", loaded " + loaded / 1024
                + ", after close " + after / 1024 + " KiB";
        System.out.println("CloseFreesMemoryTest: " + figures + " (" + LlamaNativeLibrary.loadedRelease() + ")");
        assertTrue(loaded - before > size * 8 / 10, "loading takes the weights' size: " + figures);
        assertTrue(loaded - after > size * 8 / 10, "closing gives it back: " + figures);
    }

    private static long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
