package dev.slm.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import dev.slm.engine.Completion;
import dev.slm.engine.Model;
import dev.slm.engine.ModelOptions;
import dev.slm.engine.SamplingOptions;
import dev.slm.fixtures.FixtureModel;
import dev.slm.gguf.GgmlType;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufReader;
import dev.slm.hardware.MachineFacts;
import dev.slm.hardware.RecordedMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** From a header and the user's flags to ModelOptions, on recorded machines and on this one. */
class LaunchPlannerTest {
    private static final GgufFile FIXTURE = GgufReader.read(FixtureModel.path());
    private static final ModelOptions BASE = ModelOptions.defaults();

    @TempDir
    Path tmp;

    private final Map<String, String> env = new HashMap<>();

    private LaunchPlanner planner(String machine) {
        env.putIfAbsent("SLM_NATIVE_DIR", tmp.resolve("native").toString()); // no GPU plug-in installed
        return new LaunchPlanner(RecordedMachine.facts(machine), ProfileCatalog.of(ProfileCatalog.packaged()), env::get);
    }

    @Test
    void theProfilesDefaultsBecomeTheOptions() {
        LaunchPlan plan = planner("x86-vm").plan(FIXTURE, LaunchRequest.automatic(), BASE);
        ModelOptions o = plan.options();
        assertEquals("cpu-x86_64", plan.profile().name());
        assertEquals(2048, o.contextSize(), "the fixture was trained on 2048 tokens, under the 4096 cap");
        assertEquals(2, o.threads(), "two physical cores");
        assertTrue(o.adaptThreads(), "the profile's count is a ceiling: fewer while other processes keep cores busy");
        assertEquals(512, o.batchSize());
        assertEquals(512, o.ubatchSize());
        assertEquals(0, o.gpuLayers());
        assertEquals(GgmlType.F16, o.kvCacheType());
        assertTrue(o.mmap());
        assertNull(o.nativeLibraryDir());
    }

    @Test
    void theUsersFlagsWinOverTheProfile() {
        LaunchRequest request = new LaunchRequest(Optional.empty(), 512, 1, OptionalInt.of(128), OptionalInt.empty());
        ModelOptions o = planner("x86-vm").plan(FIXTURE, request, BASE.withParallel(2).withSeed(7)).options();
        assertEquals(512, o.contextSize());
        assertEquals(1, o.threads());
        assertFalse(o.adaptThreads(), "a count the user gives stays as given");
        assertEquals(128, o.batchSize());
        assertEquals(128, o.ubatchSize(), "ubatch never exceeds the batch");
        assertEquals(2, o.parallel());
        assertEquals(7, o.seed());
    }

    @Test
    void threadsFollowTheCoresAndTheQuota() {
        assertEquals(4, planner("rk3588-service").plan(FIXTURE, LaunchRequest.automatic(), BASE).options().threads(),
                "the four Cortex-A76, not the A55s");
        assertEquals(2, planner("container-cgroup2").plan(FIXTURE, LaunchRequest.automatic(), BASE).options().threads(),
                "cpu.max allows 1.5 CPUs");
        assertEquals(4, planner("pi5").plan(FIXTURE, LaunchRequest.automatic(), BASE).options().threads());
        assertEquals(256, planner("pi5").plan(FIXTURE, LaunchRequest.automatic(), BASE).options().batchSize());
        assertEquals(16, planner("nvidia-rtx4090").plan(FIXTURE, LaunchRequest.automatic(), BASE).options().threads(),
                "physical cores, not the 32 hyper-threads");
    }

    @Test
    void theCudaProfileHandsItsPluginFolderAndGpuLayersToTheOptions() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.slm.engine.llamacpp.NativeBuild.forPlatform("linux-x86_64").isOwn(),
                "GPU plug-ins go with slm's own build");
        // A file named as the plug-in that loads here (libm needs only the C library); the real
        // plug-in's checks are GpuPluginCliTest's.
        Path cuda = Files.createDirectories(tmp.resolve("cuda"));
        Files.copy(Path.of("/lib/x86_64-linux-gnu/libm.so.6"), cuda.resolve("libggml-cuda.so"));
        env.put("SLM_CUDA_LIB", cuda.toString());
        ModelOptions o = planner("nvidia-rtx4090").plan(ModelShapes.qwen25_7b(GgmlType.Q4_K), LaunchRequest.automatic(), BASE).options();
        assertEquals(cuda, o.nativeLibraryDir());
        assertEquals(-1, o.gpuLayers());
        assertTrue(o.flashAttention());
        assertEquals(2048, o.batchSize());
        assertEquals(8192, o.contextSize());
    }

    @Test
    void noUsableProfileOrNoRoomIsAOneLineError() {
        SlmException pi4 = assertThrows(SlmException.class,
                () -> planner("pi4").plan(FIXTURE, LaunchRequest.automatic(), BASE));
        assertTrue(pi4.getMessage().contains("lacks dotprod"), pi4.getMessage());
        SlmException big = assertThrows(SlmException.class,
                () -> planner("container-cgroup1").plan(ModelShapes.qwen25_7b(GgmlType.Q4_K), LaunchRequest.automatic(), BASE));
        assertTrue(big.getMessage().startsWith("Qwen2.5-7B-Instruct needs "), big.getMessage());
    }

    @Test
    void onThisMachineTheRealDetectorChoosesACpuProfileAndTheFixtureModelRuns() {
        LaunchPlanner live = new LaunchPlanner(MachineFacts.detect(), ProfileCatalog.of(ProfileCatalog.packaged()), Map.<String, String>of()::get);
        LaunchPlan plan = live.plan(FIXTURE, LaunchRequest.automatic(), BASE);
        String arch = plan.facts().arch();
        assertEquals(arch.equals("x86_64") ? "cpu-x86_64" : "cpu-aarch64", plan.profile().name(),
                "no GPU here: " + plan.choice().verdicts());
        assertEquals(Optional.empty(), plan.choice().fallback());
        try (Model model = Model.open(FIXTURE, plan.options())) {
            Completion c = model.generate(FixtureModel.PROMPT, SamplingOptions.greedy().withMaxTokens(12)).await();
            assertTrue(c.text().startsWith(FixtureModel.GREEDY_CONTINUATION.substring(0, 20)), c.text());
        }
    }
}
