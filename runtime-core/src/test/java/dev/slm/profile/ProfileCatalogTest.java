package dev.slm.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileCatalogTest {
    /** The profile files as they are in the source tree (the module's working directory is runtime-core). */
    private static final Path SOURCE = Path.of("..", "native-profiles", "profiles");

    @TempDir
    Path tmp;

    @Test
    void everyTargetHasAPackagedProfile() {
        List<String> names = ProfileCatalog.packaged().stream().map(Profile::name).sorted().toList();
        assertEquals(List.of("cpu-aarch64", "cpu-x86_64", "cuda", "jetson", "metal", "raspberry-pi", "vulkan"), names);
    }

    @Test
    void theIndexListsExactlyTheProfileFiles() throws IOException {
        List<String> indexed = Files.readAllLines(SOURCE.resolve("index.txt")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).sorted().toList();
        try (Stream<Path> files = Files.list(SOURCE)) {
            assertEquals(files.map(f -> f.getFileName().toString()).filter(n -> !n.equals("index.txt")).sorted().toList(), indexed);
        }
    }

    @Test
    void aUsersProfileReplacesThePackagedOneOfTheSameNameAndNewOnesAreAdded() throws IOException {
        String cuda = Files.readString(SOURCE.resolve("cuda.toml"));
        Files.writeString(tmp.resolve("cuda.toml"), cuda.replace("path_env = \"SLM_CUDA_LIB\"",
                "path_env = \"SLM_CUDA_LIB\"\npath = \"/opt/llama-cuda\""));
        Files.writeString(tmp.resolve("rocm.toml"), cuda.replace("name = \"cuda\"", "name = \"rocm\"")
                .replace("path_env = \"SLM_CUDA_LIB\"", "path_env = \"SLM_ROCM_LIB\""));
        ProfileCatalog catalog = ProfileCatalog.load(Map.of("SLM_PROFILES_DIR", tmp.toString())::get);
        assertEquals("/opt/llama-cuda", catalog.find("cuda").orElseThrow().nativeLibrary().path());
        assertEquals("SLM_ROCM_LIB", catalog.find("rocm").orElseThrow().nativeLibrary().pathEnv());
        assertEquals(8, catalog.all().size());
    }

    @Test
    void aUsersProfileCanFixTheThreadCount() throws IOException {
        String cpu = Files.readString(SOURCE.resolve("cpu-x86_64.toml"));
        assertTrue(cpu.contains("adapt_threads = true"));
        ProfileCatalog packaged = ProfileCatalog.load(Map.of("SLM_PROFILES_DIR", tmp.toString())::get);
        assertTrue(packaged.find("cpu-x86_64").orElseThrow().tuning().adaptThreads());
        Files.writeString(tmp.resolve("cpu-x86_64.toml"), cpu.replace("adapt_threads = true", "adapt_threads = false"));
        ProfileCatalog catalog = ProfileCatalog.load(Map.of("SLM_PROFILES_DIR", tmp.toString())::get);
        assertFalse(catalog.find("cpu-x86_64").orElseThrow().tuning().adaptThreads());
    }

    @Test
    void theUsersDirectoryFollowsSlmHomeThenXdg() {
        assertEquals(Path.of("/x/slm/profiles"), ProfileCatalog.userDirectory(Map.of("XDG_CONFIG_HOME", "/x")::get));
        assertEquals(Path.of("/srv/slm/profiles"), ProfileCatalog.userDirectory(Map.of("SLM_HOME", "/srv/slm", "XDG_CONFIG_HOME", "/x")::get));
        assertEquals(Path.of("/p"), ProfileCatalog.userDirectory(Map.of("SLM_PROFILES_DIR", "/p", "SLM_HOME", "/srv/slm")::get));
        assertEquals(Path.of(System.getProperty("user.home"), ".config", "slm", "profiles"),
                ProfileCatalog.userDirectory(Map.<String, String>of()::get));
    }

    @Test
    void aBrokenProfileFileGetsOneLineNamingTheFileAndTheProblem() throws IOException {
        String good = Files.readString(SOURCE.resolve("cpu-x86_64.toml"));
        record Case(String replace, String with, String expected) {
        }
        List<Case> cases = List.of(
                new Case("threads = \"physical-cores\"", "treads = \"physical-cores\"", "is not a valid profile: tuning.threads is missing"),
                new Case("mmap = true", "mmap = true\nswap = false", "is not a valid profile: unknown key tuning.swap"),
                new Case("\nbatch = 512\n", "\n", "is not a valid profile: tuning.batch is missing"),
                new Case("\nbatch = 512", "\nbatch = \"512\"", "tuning.batch must be a whole number"),
                new Case("kv_cache_type = \"f16\"", "kv_cache_type = \"q8_0\"", "a quantized KV cache (Q8_0) needs flash attention"),
                new Case("context_cap = 4096", "context_cap = = 4096", "is not valid TOML"),
                new Case("name = \"cpu-x86_64\"", "name = \"cpu-x86-64\"", "names its profile 'cpu-x86-64': name the file cpu-x86-64.toml"),
                new Case("gpu_layers = \"none\"", "gpu_layers = \"some\"", "tuning.gpu_layers must be one of none, all, fit, got \"some\""));
        int n = 0;
        for (Case c : cases) {
            assertTrue(good.contains(c.replace()), c.replace());
            Path dir = Files.createDirectories(tmp.resolve("case" + n++));
            Files.writeString(dir.resolve("cpu-x86_64.toml"), good.replace(c.replace(), c.with()));
            SlmException ex = assertThrows(SlmException.class, () -> ProfileCatalog.load(Map.of("SLM_PROFILES_DIR", dir.toString())::get));
            assertTrue(ex.getMessage().startsWith(dir + "/cpu-x86_64.toml "), ex.getMessage());
            assertTrue(ex.getMessage().contains(c.expected()), ex.getMessage());
            assertEquals(1, ex.getMessage().lines().count(), ex.getMessage());
        }
    }
}
