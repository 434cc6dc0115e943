package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.slm.engine.llamacpp.GpuPlugin;
import dev.slm.engine.llamacpp.GpuPlugins;
import dev.slm.fixtures.Fault;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.JavaProcess;
import dev.slm.fixtures.ModelHttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA and Vulkan plug-ins as a user gets them (`slm profile install`) and as the profiles use
 * them, on this machine: no GPU, CUDA's runtime absent (cuBLAS, the driver), Vulkan present only as
 * Mesa's llvmpipe, a Vulkan device on the CPU. The packages come from the build cache, where
 * native-profiles' build put them (fetch-plugins.sh): nothing is downloaded here.
 */
class GpuPluginCliTest {
    private static final String MODEL = FixtureModel.path().toString();
    /** A recorded machine with an RTX 4090 (runtime-core's recordings): detection picks the cuda profile. */
    private static final Path RTX4090 = Path.of("../runtime-core/src/test/resources/machines/nvidia-rtx4090").toAbsolutePath();

    @TempDir
    Path tmp;

    @BeforeAll
    static void onlyOnTheDevelopmentPlatform() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64"),
                "the plug-ins are for linux-x86_64");
    }

    private JavaProcess.Result slm(Map<String, String> extra, long timeout, String... args) throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>(extra);
        env.putIfAbsent("SLM_NATIVE_DIR", tmp.resolve("native").toString());
        return JavaProcess.run(Main.class.getName(), List.of(args), null, timeout, env);
    }

    /** The pinned package in the build cache ($SLM_BUILD_CACHE/gpu-plugins/SHA256.tgz). */
    private static Path cachedPackage(String name) {
        GpuPlugin plugin = GpuPlugins.find(name, "linux-x86_64").orElseThrow();
        String root = System.getenv("SLM_BUILD_CACHE");
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = root != null && !root.isBlank() ? Path.of(root)
                : (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("slm-build");
        Path tgz = cache.resolve("gpu-plugins").resolve(plugin.sha256() + ".tgz");
        assertTrue(Files.isRegularFile(tgz), tgz + " is missing: native-profiles' build fetches it (native/fetch-plugins.sh)");
        return tgz;
    }

    private Path pluginFolder(String name) {
        return tmp.resolve("native/plugins/v0.5.0-linux-x86_64-" + name);
    }

    /** What is left in the plug-in's folder, lock files aside. */
    private List<String> leftIn(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".lock")).sorted().toList();
        }
    }

    @Test
    void theCudaPluginInstallsAndItsMissingRuntimeIsNamedInOneLineWhileTheModelRunsOnTheCpu() throws Exception {
        JavaProcess.Result install = slm(Map.of(), 120, "profile", "install", "cuda", "--from", cachedPackage("cuda").toString());
        assertEquals(0, install.exitCode(), install.stderr());
        assertTrue(install.stdout().startsWith("cuda plug-in installed: " + pluginFolder("cuda").resolve("libggml-cuda.so")
                + " (@node-llama-cpp/linux-x64-cuda@3.22.1, llama.cpp v0.5.0"), install.stdout());
        assertTrue(install.stdout().contains("not usable yet: the cuda plug-in cannot load: "), install.stdout());
        assertTrue(install.stdout().contains("libcublas.so.13 is missing: install cuBLAS 13: package libcublas-13-0"), install.stdout());
        assertEquals(List.of("libggml-cuda.so", "package.txt"), leftIn(pluginFolder("cuda")), "the plug-in and its origin, no tarball, no part file");
        JavaProcess.Result again = slm(Map.of(), 60, "profile", "install", "cuda");
        assertEquals(0, again.exitCode(), again.stderr());
        assertTrue(again.stdout().startsWith("cuda plug-in already installed: "), "no second download: " + again.stdout());

        // On a machine with an NVIDIA GPU (recorded) the cuda profile is the one detection wants;
        // the plug-in cannot load here, so the model runs on the CPU, with one line saying why.
        Map<String, String> rtx = Map.of("SLM_MACHINE_REPLAY", RTX4090.toString());
        // (-t 2: the recorded machine has 16 cores, this one 2.)
        JavaProcess.Result run = slm(rtx, 120, "run", MODEL, "Once upon a time", "--temperature", "0", "-n", "10", "-t", "2");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().startsWith(", there was a little girl"), run.stdout());
        List<String> lines = run.stderr().strip().lines().toList();
        assertEquals(1, lines.size(), run.stderr());
        assertTrue(lines.get(0).contains("using cpu-x86_64: cuda suits this machine"), lines.get(0));
        assertTrue(lines.get(0).contains("the cuda plug-in cannot load: ") && lines.get(0).contains("libcublas.so.13 is missing"), lines.get(0));
        assertTrue(lines.get(0).contains("libcuda.so.1 is missing: install the NVIDIA driver"), lines.get(0));
        assertFalse(lines.get(0).contains("slm profile install"), "installed already: the runtime is what is missing");

        JavaProcess.Result profile = slm(rtx, 60, "profile");
        assertEquals(0, profile.exitCode(), profile.stderr());
        assertTrue(profile.stdout().lines().anyMatch(l -> l.matches("  cuda +library missing +the cuda plug-in cannot load: .*libcublas-13-0.*")),
                profile.stdout());
    }

    @Test
    void aPluginWhoseLibrariesExistButCannotServeItRunsOnTheCpuWithOneLine() throws Exception {
        // A folder as a user might make one (SLM_CUDA_LIB): the plug-in and, beside it, libraries of
        // the names it needs that are not the real ones (empty shared objects). slm's checks find
        // them, so the cuda profile is chosen; ggml's loader then fails on their missing symbols and
        // registers no CUDA device. slm says so in one line, and the model runs on the CPU.
        JavaProcess.Result install = slm(Map.of(), 120, "profile", "install", "cuda", "--from", cachedPackage("cuda").toString());
        assertEquals(0, install.exitCode(), install.stderr());
        Path mine = Files.createDirectories(tmp.resolve("my-cuda"));
        Files.createSymbolicLink(mine.resolve("libggml-cuda.so"), pluginFolder("cuda").resolve("libggml-cuda.so"));
        for (String lib : List.of("libcudart.so.13", "libcublas.so.13", "libcuda.so.1")) {
            Process cc = new ProcessBuilder("cc", "-shared", "-o", mine.resolve(lib).toString(), "-Wl,-soname," + lib, "-x", "c", "/dev/null")
                    .redirectErrorStream(true).start();
            assertEquals(0, cc.waitFor(), new String(cc.getInputStream().readAllBytes()));
        }
        Map<String, String> env = Map.of("SLM_MACHINE_REPLAY", RTX4090.toString(), "SLM_CUDA_LIB", mine.toString());
        JavaProcess.Result profile = slm(env, 60, "profile");
        assertTrue(profile.stdout().contains("Profile cuda (detected)"), profile.stdout());
        JavaProcess.Result run = slm(env, 120, "run", MODEL, "Once upon a time", "--temperature", "0", "-n", "10", "-t", "2");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().startsWith(", there was a little girl"), run.stdout());
        List<String> lines = run.stderr().strip().lines().toList();
        assertEquals(1, lines.size(), run.stderr());
        assertTrue(lines.get(0).contains("the cuda plug-in (" + mine.resolve("libggml-cuda.so")
                + ") registered no device with ggml: the model runs on the CPU"), lines.get(0));
    }

    @Test
    void aDamagedOrForeignPackageIsRefusedInOneLineAndLeavesNothing() throws Exception {
        Path good = cachedPackage("vulkan");
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = tmp.resolve("truncated.tgz");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Path flipped = tmp.resolve("flipped.tgz");
        bytes[bytes.length / 2] ^= 1;
        Files.write(flipped, bytes);
        for (Path bad : List.of(truncated, flipped, cachedPackage("cuda"))) {
            JavaProcess.Result r = slm(Map.of(), 120, "profile", "install", "vulkan", "--from", bad.toString());
            assertEquals(1, r.exitCode(), r.stderr());
            assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
            assertTrue(r.stderr().startsWith("slm: error: " + bad + " is not @node-llama-cpp/linux-x64-vulkan@3.22.1: "), r.stderr());
            assertTrue(r.stderr().strip().endsWith("nothing was installed"), r.stderr());
            assertEquals(List.of(), leftIn(pluginFolder("vulkan")), "nothing half-written");
        }
        JavaProcess.Result unknown = slm(Map.of(), 60, "profile", "install", "tpu");
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.stderr().startsWith("slm: error: no tpu plug-in for linux-x86_64: slm has cuda, vulkan here"), unknown.stderr());
    }

    @Test
    void aDownloadFromTheRegistryResumesAfterADropAndADamagedOneIsRefused() throws Exception {
        // A local registry mirror (SLM_NPM_REGISTRY) serving the pinned package at the registry's path;
        // the first answer drops after 5 MB, so the download resumes with a Range request.
        String path = "/@node-llama-cpp/linux-x64-vulkan/-/linux-x64-vulkan-3.22.1.tgz";
        byte[] good = Files.readAllBytes(cachedPackage("vulkan"));
        try (ModelHttpServer registry = ModelHttpServer.start().serve(path, good).script(path, Fault.dropAfter(5 << 20))) {
            Map<String, String> mirror = Map.of("SLM_NPM_REGISTRY", "http://127.0.0.1:" + registry.port() + "/");
            JavaProcess.Result r = slm(mirror, 120, "profile", "install", "vulkan");
            assertEquals(0, r.exitCode(), r.stderr());
            assertTrue(r.stdout().startsWith("vulkan plug-in installed: " + pluginFolder("vulkan").resolve("libggml-vulkan.so")), r.stdout());
            assertEquals(List.of("libggml-vulkan.so", "package.txt"), leftIn(pluginFolder("vulkan")), "no tarball, no partial file left");
            assertTrue(registry.requests(path).size() >= 2, "dropped once, then resumed");
            assertTrue(String.valueOf(registry.requests(path).get(1).header("Range")).startsWith("bytes="),
                    "the second request resumes where the first stopped");
        }
        Files.delete(pluginFolder("vulkan").resolve("libggml-vulkan.so"));
        Files.delete(pluginFolder("vulkan").resolve("package.txt"));
        byte[] damaged = good.clone();
        damaged[damaged.length / 3] ^= 1;
        try (ModelHttpServer registry = ModelHttpServer.start().serve(path, damaged)) {
            JavaProcess.Result r = slm(Map.of("SLM_NPM_REGISTRY", "http://127.0.0.1:" + registry.port()), 120, "profile", "install", "vulkan");
            assertEquals(1, r.exitCode(), r.stderr());
            // (the progress lines aside: "pulling NAME: SIZE", then one per 10%)
            List<String> lines = r.stderr().strip().lines().filter(l -> !l.startsWith("pulling ") && !l.contains("%")).toList();
            assertEquals(1, lines.size(), r.stderr());
            assertTrue(lines.get(0).startsWith("slm: error: cannot download @node-llama-cpp/linux-x64-vulkan@3.22.1: "), lines.get(0));
            assertTrue(lines.get(0).contains("sha256 mismatch"), lines.get(0));
            assertEquals(List.of(), leftIn(pluginFolder("vulkan")), "nothing kept: not the plug-in, not the damaged download");
        }
    }

    @Test
    void theVulkanProfileRunsEveryLayerOnLlvmpipeAndWritesWhatTheCpuWrites() throws Exception {
        assertTrue(Files.exists(Path.of("/usr/share/vulkan/icd.d/lvp_icd.x86_64.json")),
                "Mesa's Vulkan drivers are missing: apt-get install libvulkan1 mesa-vulkan-drivers (scripts/env.sh does)");
        JavaProcess.Result install = slm(Map.of(), 60, "profile", "install", "vulkan", "--from", cachedPackage("vulkan").toString());
        assertEquals(0, install.exitCode(), install.stderr());
        // llvmpipe is a CPU device, which ggml leaves unused unless GGML_VK_VISIBLE_DEVICES names it:
        // slm says so instead of loading a plug-in that would run nothing.
        JavaProcess.Result unnamed = slm(Map.of(), 60, "profile", "--profile", "vulkan");
        assertEquals(1, unnamed.exitCode());
        assertTrue(unnamed.stderr().startsWith("slm: error: profile vulkan cannot be used: Vulkan finds only llvmpipe"), unnamed.stderr());
        assertTrue(unnamed.stderr().contains("GGML_VK_VISIBLE_DEVICES=0 uses it anyway"), unnamed.stderr());

        JavaProcess.Result cpu = slm(Map.of(), 120, "run", MODEL, "Once upon a time", "--temperature", "0", "-n", "16");
        assertEquals(0, cpu.exitCode(), cpu.stderr());
        Map<String, String> llvmpipe = Map.of("GGML_VK_VISIBLE_DEVICES", "0");
        JavaProcess.Result gpu = slm(llvmpipe, 400, "run", MODEL, "Once upon a time", "--profile", "vulkan",
                "--temperature", "0", "-n", "16", "-v");
        assertEquals(0, gpu.exitCode(), gpu.stderr());
        assertEquals(cpu.stdout(), gpu.stdout(), "greedy text on the Vulkan device = the CPU's");
        assertTrue(gpu.stdout().startsWith(", there was a little girl named Lily"), gpu.stdout());
        assertTrue(gpu.stderr().contains("using device Vulkan0 (llvmpipe"), gpu.stderr());
        assertTrue(gpu.stderr().contains("offloaded 6/6 layers to GPU"), "every layer, as the vulkan profile asks (gpu_layers = all)");
        assertTrue(gpu.stderr().contains("Vulkan0 model buffer size"), "the weights are in the device's memory");
        // The Vulkan run's own folder holds slm's files as hard links to the CPU folder's, and the plug-in as a link.
        try (Stream<Path> folders = Files.list(tmp.resolve("native"))) {
            List<Path> all = folders.filter(f -> f.getFileName().toString().startsWith("slm-llama-")).sorted().toList();
            assertEquals(2, all.size(), all.toString());
            Path cpuDir = all.stream().filter(f -> !f.getFileName().toString().contains("-vulkan-")).findFirst().orElseThrow();
            Path vulkanDir = all.stream().filter(f -> f.getFileName().toString().contains("-vulkan-")).findFirst().orElseThrow();
            assertTrue(Files.isSameFile(cpuDir.resolve("libjllama.so"), vulkanDir.resolve("libjllama.so")), "one copy on disk");
            assertTrue(Files.isSymbolicLink(vulkanDir.resolve("libggml-vulkan.so")));
            assertFalse(Files.exists(cpuDir.resolve("libggml-vulkan.so")), "a CPU run never loads the plug-in");
        }
    }
}
