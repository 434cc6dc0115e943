package dev.slm.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.slm.SlmException;
import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.hardware.MachineFacts;
import dev.slm.hardware.RecordedMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which profile each recorded machine gets, with and without its native library, and the overrides. */
class ProfileSelectorTest {
    private static final ProfileCatalog PACKAGED = ProfileCatalog.of(ProfileCatalog.packaged());

    @TempDir
    Path tmp;

    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void nothingInstalled() {
        // Installed GPU plug-ins are looked for under the native folder: this test's own, empty one.
        env.put("SLM_NATIVE_DIR", tmp.resolve("native").toString());
    }

    /**
     * A folder holding a file named as the CUDA plug-in that can load here: a copy of libm, which
     * needs nothing but the C library (the real plug-in's check is GpuPluginCliTest's).
     */
    private Path cudaPluginDir() throws IOException {
        assumeTrue(NativeBuild.forPlatform("linux-x86_64").isOwn(), "GPU plug-ins go with slm's own build");
        Path dir = Files.createDirectories(tmp.resolve("cuda-plugin"));
        Files.copy(Path.of("/lib/x86_64-linux-gnu/libm.so.6"), dir.resolve("libggml-cuda.so"));
        return dir;
    }

    private ProfileChoice select(String machine) {
        return select(machine, Optional.empty());
    }

    private ProfileChoice select(String machine, Optional<String> requested) {
        return new ProfileSelector(PACKAGED, env::get).select(RecordedMachine.facts(machine), requested);
    }

    /** A directory holding a file named as a libjllama build: what the selector checks for. */
    private Path libraryDir(String fileName) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("lib-" + fileName));
        Files.write(dir.resolve(fileName), new byte[] {0x7f, 'E', 'L', 'F'});
        return dir;
    }

    private static ProfileChoice.Status status(ProfileChoice c, String profile) {
        return c.verdicts().stream().filter(v -> v.profile().equals(profile)).findFirst().orElseThrow().status();
    }

    @Test
    void theDevelopmentVmGetsTheX86CpuProfileSilently() {
        ProfileChoice c = select("x86-vm");
        assertEquals("cpu-x86_64", c.require().name());
        assertEquals(Optional.empty(), c.nativeLibraryDir(), "the packaged library, not a custom one");
        // slm's own build runs on any x86-64 CPU; the binding's fallback library needs AVX2 & co.
        assertTrue(c.library().contains(NativeBuild.forPlatform("linux-x86_64").isOwn()
                ? "slm's own build (linux-x86_64), CPU variant chosen at load time" : "this CPU has avx2, fma, f16c, bmi2"), c.library());
        assertEquals(Optional.empty(), c.fallback(), "nothing better suits: nothing to say");
        assertFalse(c.forced());
        assertEquals(ProfileChoice.Status.NOT_SUITED, status(c, "cuda"));
        assertEquals(ProfileChoice.Status.NOT_SUITED, status(c, "metal"));
        assertEquals(ProfileChoice.Status.NOT_SUITED, status(c, "raspberry-pi"));
        assertTrue(c.verdicts().stream().filter(v -> v.profile().equals("cuda")).findFirst().orElseThrow().detail()
                .startsWith("no NVIDIA GPU found"));
    }

    @Test
    void anNvidiaBoxWithoutTheCudaPluginFallsBackToCpuWithOneLineSayingHowToInstallIt() {
        ProfileChoice c = select("nvidia-rtx4090");
        assertEquals("cpu-x86_64", c.require().name());
        String line = c.fallback().orElseThrow();
        assertFalse(line.contains("\n"));
        assertTrue(line.startsWith("using cpu-x86_64: cuda suits this machine (linux x86_64, NVIDIA GeForce RTX 4090 24.0 GiB)"), line);
        assertTrue(line.contains("the cuda plug-in is not installed; to enable it, run `slm profile install cuda`"), line);
        assertEquals(ProfileChoice.Status.LIBRARY_MISSING, status(c, "cuda"));
    }

    @Test
    void anNvidiaBoxWithTheCudaPluginGetsTheCudaProfileAndItsFolder() throws IOException {
        Path cuda = cudaPluginDir();
        env.put("SLM_CUDA_LIB", cuda.toString());
        ProfileChoice c = select("nvidia-rtx4090");
        assertEquals("cuda", c.require().name());
        assertEquals(Optional.of(cuda), c.nativeLibraryDir());
        assertEquals(Optional.empty(), c.fallback());
        assertTrue(c.reason().contains("NVIDIA GeForce RTX 4090"), c.reason());
        assertEquals(ProfileChoice.Status.ALSO_SUITS, status(c, "cpu-x86_64"));
    }

    @Test
    void anAmdGpuWithoutTheVulkanPluginFallsBackToCpuWithOneLineSayingHowToInstallIt() {
        ProfileChoice c = select("amd-gpu");
        assertEquals("cpu-x86_64", c.require().name());
        String line = c.fallback().orElseThrow();
        assertTrue(line.startsWith("using cpu-x86_64: vulkan suits this machine (linux x86_64, AMD GPU (card1, 0x1002:0x744c))"
                + " but " + (NativeBuild.forPlatform("linux-x86_64").isOwn() ? "the vulkan plug-in is not installed; to enable it,"
                + " run `slm profile install vulkan`" : "slm has no own build")), line);
        assertEquals(ProfileChoice.Status.NOT_SUITED, status(select("x86-vm"), "vulkan"), "no GPU, no note");
    }

    @Test
    void aCudaLibraryDirectoryWithoutTheLibraryIsNamedInTheFallbackLine() throws IOException {
        env.put("SLM_CUDA_LIB", Files.createDirectories(tmp.resolve("empty")).toString());
        ProfileChoice c = select("nvidia-rtx4090");
        assertEquals("cpu-x86_64", c.require().name());
        assertTrue(c.fallback().orElseThrow().contains("SLM_CUDA_LIB=" + tmp.resolve("empty") + " holds no libggml-cuda.so"),
                c.fallback().get());
    }

    @Test
    void aRaspberryPi5GetsThePiProfileOverTheGenericArmOne() {
        ProfileChoice c = select("pi5");
        assertEquals("raspberry-pi", c.require().name());
        assertTrue(c.reason().contains("Raspberry Pi 5 Model B Rev 1.0"), c.reason());
        assertEquals(ProfileChoice.Status.ALSO_SUITS, status(c, "cpu-aarch64"));
        assertEquals(Optional.empty(), c.fallback());
    }

    @Test
    void aRaspberryPi4CannotRunTheBundledLibraryAndIsToldToBuildOne() throws IOException {
        ProfileChoice c = select("pi4");
        assertTrue(c.profile().isEmpty());
        SlmException e = assertThrows(SlmException.class, c::require);
        assertTrue(e.getMessage().startsWith("no profile can be used: raspberry-pi suits this machine"), e.getMessage());
        assertTrue(e.getMessage().contains("this CPU lacks dotprod"), e.getMessage());
        assertTrue(e.getMessage().contains("SLM_RASPBERRY_PI_LIB"), e.getMessage());
        env.put("SLM_RASPBERRY_PI_LIB", libraryDir("libjllama.so").toString());
        assertEquals("raspberry-pi", select("pi4").require().name(), "a library built on the Pi needs no dotprod");
    }

    @Test
    void aJetsonWithoutACudaBuildRunsOnItsCpuAndWithOneOnItsGpu() throws IOException {
        ProfileChoice c = select("jetson-orin-nano");
        assertEquals("cpu-aarch64", c.require().name());
        assertTrue(c.fallback().orElseThrow().contains("jetson suits this machine"), c.fallback().get());
        assertTrue(c.fallback().get().contains("SLM_JETSON_LIB"));
        assertEquals(ProfileChoice.Status.NOT_SUITED, status(c, "cuda"), "an integrated GPU is not the cuda profile's");
        env.put("SLM_JETSON_LIB", libraryDir("libjllama.so").toString());
        assertEquals("jetson", select("jetson-orin-nano").require().name());
    }

    @Test
    void anAppleM2GetsMetalFromTheBundledLibrary() {
        ProfileChoice c = select("apple-m2");
        assertEquals("metal", c.require().name());
        assertEquals(Optional.empty(), c.nativeLibraryDir());
        assertTrue(c.reason().contains("Apple M2"), c.reason());
        assertEquals(ProfileChoice.Status.ALSO_SUITS, status(c, "cpu-aarch64"));
    }

    @Test
    void containersAndBigLittleBoardsGetTheirCpuProfile() {
        assertEquals("cpu-x86_64", select("container-cgroup2").require().name());
        assertEquals("cpu-x86_64", select("container-cgroup1").require().name());
        assertEquals("cpu-aarch64", select("rk3588-service").require().name());
    }

    @Test
    void onWindowsCpuFeaturesAreUnknownAndTheBundledLibraryIsAssumedToRun() {
        ProfileChoice c = select("windows-rtx4060");
        assertEquals("cpu-x86_64", c.require().name());
        assertTrue(c.library().contains("CPU features unknown"), c.library());
        assertTrue(c.fallback().orElseThrow().contains("NVIDIA GeForce RTX 4060 Laptop GPU"));
        assertTrue(c.fallback().get().contains("slm has no own build for windows-x86_64, which ggml's GPU plug-ins need"),
                c.fallback().get());
    }

    @Test
    void aNamedProfileIsUsedEvenWhereDetectionDoesNotSeeWhatItNeeds() throws IOException {
        env.put("SLM_CUDA_LIB", cudaPluginDir().toString());
        ProfileChoice c = select("x86-vm", Optional.of("cuda"));
        assertEquals("cuda", c.require().name());
        assertTrue(c.forced());
        assertTrue(c.reason().contains("detection does not see what it needs (no NVIDIA GPU found"), c.reason());
        assertEquals(ProfileChoice.Status.NOT_CONSIDERED, status(c, "cpu-x86_64"));
    }

    @Test
    void aNamedProfileWithoutItsLibraryIsAnErrorNotAFallback() {
        ProfileChoice c = select("nvidia-rtx4090", Optional.of("cuda"));
        SlmException e = assertThrows(SlmException.class, c::require);
        assertEquals("profile cuda cannot be used: the cuda plug-in is not installed; to enable it, run `slm profile install cuda`"
                + " (downloads 143 MB from the npm registry, checked against its pinned hash)", e.getMessage());
    }

    @Test
    void aNamedProfileForAnotherPlatformIsRefused() {
        SlmException e = assertThrows(SlmException.class, () -> select("x86-vm", Optional.of("metal")).require());
        assertEquals("profile metal cannot be used: it is made for mac on aarch64 and this is linux x86_64", e.getMessage());
    }

    @Test
    void slmProfileNamesAProfileAndTheCommandLineBeatsIt() {
        env.put("SLM_PROFILE", "cpu-aarch64");
        assertEquals("cpu-aarch64", select("pi5").require().name());
        assertEquals("raspberry-pi", select("pi5", Optional.of("raspberry-pi")).require().name());
        env.put("SLM_PROFILE", " ");
        assertFalse(select("pi5").forced(), "a blank SLM_PROFILE names nothing");
    }

    @Test
    void anUnknownProfileNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> select("x86-vm", Optional.of("tpu")));
        assertEquals("unknown profile 'tpu': choose one of jetson, cuda, metal, vulkan, raspberry-pi, cpu-aarch64, cpu-x86_64", e.getMessage());
    }

    @Test
    void aCustomLibraryCanReplaceTheBundledOne() throws IOException {
        Path mine = libraryDir("libjllama.so");
        env.put("SLM_CPU_X86_64_LIB", mine.toString());
        ProfileChoice c = select("x86-vm");
        assertEquals(Optional.of(mine), c.nativeLibraryDir());
        assertTrue(c.library().startsWith("custom " + mine.resolve("libjllama.so")), c.library());
    }

    @Test
    void aMachineNoProfileIsMadeForIsToldWhereToAddOne() {
        MachineFacts vm = RecordedMachine.facts("x86-vm");
        MachineFacts riscv = new MachineFacts("linux", "riscv64", vm.cpu(), vm.memory(), vm.nvidia(), vm.apple(), vm.board(), vm.gpus(), vm.notes());
        env.put("SLM_PROFILES_DIR", "/etc/slm/profiles");
        ProfileChoice c = new ProfileSelector(PACKAGED, env::get).select(riscv, Optional.empty());
        assertEquals("no profile is made for linux riscv64: add one to /etc/slm/profiles (see native-profiles/README.md)", c.reason());
    }
}
