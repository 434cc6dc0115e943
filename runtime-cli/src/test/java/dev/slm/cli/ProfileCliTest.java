package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.JavaProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `slm profile` and the profile's effect on `slm run`, as child processes on this machine (an x86_64
 * Linux VM without a GPU). Other machines are covered by the recorded-machine tests in runtime-core.
 */
class ProfileCliTest {
    private static final String MODEL = FixtureModel.path().toString();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @BeforeAll
    static void onlyOnTheDevelopmentPlatform() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64"),
                "these tests expect the x86_64 Linux build machine");
    }

    private JavaProcess.Result slm(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Map<String, String> all = new java.util.HashMap<>(env);
        // Its own native folder: a GPU plug-in installed in the user's would change the answers.
        all.putIfAbsent("SLM_NATIVE_DIR", tmp.resolve("native").toString());
        return JavaProcess.run(Main.class.getName(), List.of(args), null, 60, all);
    }

    /** A directory holding the real CPU libjllama of the binding, standing in for a user's own build. */
    private Path customLibrary(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (InputStream in = ProfileCliTest.class.getResourceAsStream("/de/kherud/llama/Linux/x86_64/libjllama.so")) {
            Files.copy(in, dir.resolve("libjllama.so"));
        }
        return dir;
    }

    @Test
    void profileExplainsTheCpuChoiceOnThisMachine() throws Exception {
        JavaProcess.Result r = slm(Map.of(), "profile");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("", r.stderr());
        assertTrue(r.stdout().contains("Profile cpu-x86_64 (detected)"), r.stdout());
        assertTrue(r.stdout().contains("library        llama.cpp " + dev.slm.engine.llamacpp.NativeBuild.current().release()
                + ", slm's own build (linux-x86_64), CPU variant chosen at load time"), r.stdout());
        assertTrue(r.stdout().lines().anyMatch(l -> l.matches("  cuda +not suited +no NVIDIA GPU found.*")), r.stdout());
    }

    @Test
    void profileJsonCarriesTheFactsTheChoiceAndAModelsPlan() throws Exception {
        JavaProcess.Result r = slm(Map.of(), "profile", MODEL, "--json");
        assertEquals(0, r.exitCode(), r.stderr());
        JsonNode json = JSON.readTree(r.stdout());
        assertEquals("x86_64", json.at("/machine/arch").asText());
        assertEquals(Runtime.getRuntime().availableProcessors(), json.at("/machine/cpu/logical").asInt());
        assertTrue(json.at("/machine/memory/availableBytes").asLong() > 0);
        assertEquals("cpu-x86_64", json.at("/profile/name").asText());
        assertTrue(json.at("/profile/fallback").isNull());
        assertEquals(7, json.at("/profiles").size());
        assertEquals(2048, json.at("/model/contextSize").asInt());
        assertEquals(0, json.at("/model/gpuLayers").asInt());
        assertEquals(1310720, json.at("/model/system/kvCache").asLong(), "5 layers x 2048 x (8 + 8) x 4 heads x 2 bytes, as llama.cpp logs");
    }

    @Test
    void aNamedProfileWithoutItsLibraryIsReportedAndFails() throws Exception {
        JavaProcess.Result r = slm(Map.of("SLM_PROFILE", "cuda"), "profile");
        assertEquals(1, r.exitCode());
        assertTrue(r.stdout().contains("Profile: none usable"), r.stdout());
        assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
        assertTrue(r.stderr().startsWith("slm: error: profile cuda cannot be used: the cuda plug-in is not installed; to enable it,"
                + " run `slm profile install cuda`"), r.stderr());
        JavaProcess.Result run = slm(Map.of(), "run", MODEL, "hi", "--profile", "no-such");
        assertEquals(2, run.exitCode());
        assertTrue(run.stderr().startsWith("slm: error: unknown profile 'no-such': choose one of "), run.stderr());
    }

    @Test
    void aCustomLibraryDirectoryIsWhatTheNativeLibraryIsLoadedFrom() throws Exception {
        // A user's cuda profile that runs on their own libjllama build (variant custom), as a file of
        // the same name replaces the packaged one.
        Path cuda = customLibrary("cuda-build");
        Path profiles = Files.createDirectories(tmp.resolve("custom-profiles"));
        String packaged = new String(ProfileCliTest.class.getResourceAsStream("/dev/slm/profiles/cuda.toml").readAllBytes());
        Files.writeString(profiles.resolve("cuda.toml"), packaged.replace("variant = \"plugin\"\nplugin = \"cuda\"", "variant = \"custom\""));
        JavaProcess.Result r = slm(Map.of("SLM_CUDA_LIB", cuda.toString(), "SLM_PROFILES_DIR", profiles.toString()),
                "run", MODEL, "Once upon a time", "--profile", "cuda", "--temperature", "0", "-n", "10", "-v");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().startsWith(", there was a little girl"), r.stdout());
        assertTrue(r.stderr().contains("native library loaded from " + cuda), r.stderr());
        assertTrue(r.stderr().contains("flash_attn    = 1"), "the cuda profile's tuning reached llama.cpp");
        assertTrue(r.stderr().contains("n_batch       = 2048"), r.stderr());
        assertTrue(r.stderr().contains("no NVIDIA GPU found: every layer runs on the CPU"), r.stderr());

        Path mine = customLibrary("my-cpu-build");
        JavaProcess.Result auto = slm(Map.of("SLM_CPU_X86_64_LIB", mine.toString()),
                "run", MODEL, "Once upon a time", "--temperature", "0", "-n", "5", "-v");
        assertEquals(0, auto.exitCode(), auto.stderr());
        assertTrue(auto.stderr().contains("native library loaded from " + mine), auto.stderr());
    }

    @Test
    void aBetterProfileWithoutItsLibraryFallsBackWithOneLine() throws Exception {
        // A user's profile, as a Vulkan build would be described: it suits this machine, but no
        // library is configured, so slm runs on the CPU profile and says how to enable it.
        Path profiles = Files.createDirectories(tmp.resolve("profiles"));
        Files.writeString(profiles.resolve("vulkan.toml"), """
                name = "vulkan"
                description = "any GPU through Vulkan"
                priority = 60
                [requires]
                os = ["linux"]
                arch = ["x86_64"]
                [native_library]
                variant = "custom"
                path_env = "SLM_VULKAN_LIB"
                how_to_enable = "build java-llama.cpp 4.2.0 with -DGGML_VULKAN=ON and set SLM_VULKAN_LIB to its folder"
                [tuning]
                threads = "physical-cores"
                batch = 512
                ubatch = 512
                gpu_layers = "all"
                gpu_memory = "dedicated"
                flash_attention = false
                mmap = true
                mlock = false
                context_cap = 4096
                memory_reserve_mib = 512
                gpu_reserve_mib = 256
                """);
        JavaProcess.Result r = slm(Map.of("SLM_PROFILES_DIR", profiles.toString()),
                "run", MODEL, "Once upon a time", "--temperature", "0", "-n", "10");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().startsWith(", there was a little girl"), r.stdout());
        List<String> lines = r.stderr().strip().lines().toList();
        assertEquals(1, lines.size(), r.stderr());
        assertTrue(lines.get(0).contains("using cpu-x86_64: vulkan suits this machine (linux x86_64) but no vulkan build of libjllama"
                + " is configured (SLM_VULKAN_LIB is not set); to enable it, build java-llama.cpp 4.2.0 with -DGGML_VULKAN=ON"), lines.get(0));
    }

    @Test
    void aUsersProfileChangesHowModelsAreOpened() throws Exception {
        Path profiles = Files.createDirectories(tmp.resolve("profiles"));
        String packaged = new String(ProfileCliTest.class.getResourceAsStream("/dev/slm/profiles/cpu-x86_64.toml").readAllBytes());
        Files.writeString(profiles.resolve("cpu-x86_64.toml"), packaged.replace("context_cap = 4096", "context_cap = 512")
                .replace("\nbatch = 512", "\nbatch = 64").replace("\nubatch = 512", "\nubatch = 64"));
        JavaProcess.Result r = slm(Map.of("SLM_PROFILES_DIR", profiles.toString()), "profile", MODEL, "--json");
        assertEquals(0, r.exitCode(), r.stderr());
        JsonNode json = JSON.readTree(r.stdout());
        assertEquals(512, json.at("/model/contextSize").asInt());
        assertEquals(64, json.at("/model/batchSize").asInt());
        JavaProcess.Result flags = slm(Map.of("SLM_PROFILES_DIR", profiles.toString()), "profile", MODEL, "--json", "--ctx", "1024", "--batch", "32");
        JsonNode overridden = JSON.readTree(flags.stdout());
        assertEquals(1024, overridden.at("/model/contextSize").asInt(), "a flag beats the profile");
        assertEquals(32, overridden.at("/model/batchSize").asInt());
    }
}
