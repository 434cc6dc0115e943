package dev.slm.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        assertEquals(List.of("cpu-aarch64", "cpu-x86_64", "cuda", "jetson", "metal", "raspberry-pi"), names);
    }

    @Test
    void theIndexListsExactlyTheProfileFiles() throws IOException {
        List<String> indexed = Files.readAllLines(SOURCE.resolve("index.txt")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).sorted().toList();
        try (Stream<Path> files = Files.list(SOURCE)) {
            assertEquals(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList(), indexed);
        }
    }

    @Test
    void aUsersProfileReplacesThePackagedOneOfTheSameNameAndNewOnesAreAdded() throws IOException {
        String cuda = Files.readString(SOURCE.resolve("cuda.json")).replace("\"pathEnv\": \"SLM_CUDA_LIB\",",
                "\"pathEnv\": \"SLM_CUDA_LIB\",\n    \"path\": \"/opt/llama-cuda\",");
        Files.writeString(tmp.resolve("cuda.json"), cuda);
        Files.writeString(tmp.resolve("vulkan.json"), Files.readString(SOURCE.resolve("cuda.json"))
                .replace("\"name\": \"cuda\"", "\"name\": \"vulkan\"").replace("SLM_CUDA_LIB", "SLM_VULKAN_LIB"));
        ProfileCatalog catalog = ProfileCatalog.load(Map.of("SLM_PROFILES_DIR", tmp.toString())::get);
        assertEquals("/opt/llama-cuda", catalog.find("cuda").orElseThrow().nativeLibrary().path());
        assertEquals("SLM_VULKAN_LIB", catalog.find("vulkan").orElseThrow().nativeLibrary().pathEnv());
        assertEquals(7, catalog.all().size());
    }

    @Test
    void theUsersDirectoryFollowsXdg() {
        assertEquals(Path.of("/x/slm/profiles"), ProfileCatalog.userDirectory(Map.of("XDG_CONFIG_HOME", "/x")::get));
        assertEquals(Path.of(System.getProperty("user.home"), ".config", "slm", "profiles"),
                ProfileCatalog.userDirectory(Map.<String, String>of()::get));
    }

    @Test
    void aBrokenProfileFileGetsOneLineNamingTheFileAndTheProblem() throws IOException {
        String good = Files.readString(SOURCE.resolve("cpu-x86_64.json"));
        Map<String, String> broken = Map.of(
                "\"threads\": \"physical-cores\"", "is not a valid profile: tuning.threads is missing",
                "\"mmap\": true,", "is not a valid profile: unknown field tuning.swap",
                "\"batch\": 512,", "is not a valid profile: tuning.batch is missing",
                "\"kvCacheType\": \"f16\"", "a quantized KV cache (Q8_0) needs flash attention",
                "\"contextCap\": 4096", "is not valid JSON",
                "\"name\": \"cpu-x86_64\"", "names its profile 'cpu-x86-64': name the file cpu-x86-64.json",
                "\"gpuLayers\": \"none\"", "tuning.gpuLayers must be one of none, all, fit, got \"some\"");
        Map<String, String> replacements = Map.of(
                "\"threads\": \"physical-cores\"", "\"treads\": \"physical-cores\"",
                "\"mmap\": true,", "\"mmap\": true, \"swap\": false,",
                "\"batch\": 512,", "",
                "\"kvCacheType\": \"f16\"", "\"kvCacheType\": \"q8_0\"",
                "\"contextCap\": 4096", "\"contextCap\": 4096,,",
                "\"name\": \"cpu-x86_64\"", "\"name\": \"cpu-x86-64\"",
                "\"gpuLayers\": \"none\"", "\"gpuLayers\": \"some\"");
        for (var e : broken.entrySet()) {
            Path dir = Files.createDirectories(tmp.resolve("case" + Math.abs(e.getKey().hashCode())));
            Files.writeString(dir.resolve("cpu-x86_64.json"), good.replace(e.getKey(), replacements.get(e.getKey())));
            SlmException ex = assertThrows(SlmException.class, () -> ProfileCatalog.load(Map.of("SLM_PROFILES_DIR", dir.toString())::get));
            assertTrue(ex.getMessage().startsWith(dir + "/cpu-x86_64.json "), ex.getMessage());
            assertTrue(ex.getMessage().contains(e.getValue()), ex.getMessage());
            assertEquals(1, ex.getMessage().lines().count(), ex.getMessage());
        }
    }
}
