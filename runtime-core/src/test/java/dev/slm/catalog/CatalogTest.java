package dev.slm.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import dev.slm.engine.llamacpp.NativeBuild;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
    private static final List<String> REQUIRED = List.of("qwen2.5-0.5b-instruct", "qwen2.5-1.5b-instruct",
            "qwen2.5-3b-instruct", "llama3.2-1b-instruct", "llama3.2-3b-instruct", "gemma3-1b-it", "gemma3-4b-it",
            "phi4-mini-instruct", "smollm2-135m-instruct", "smollm2-360m-instruct", "smollm2-1.7b-instruct",
            "qwen3-0.6b", "qwen3-1.7b", "qwen3-4b", "gemma3-270m-it", "gemma3n-e2b-it", "gemma3n-e4b-it",
            "smollm3-3b", "lfm2-350m", "lfm2-1.2b", "granite4.0-h-350m");

    /** Entries pinned to another quantization than Q4_K_M, because of their size (models.lock says why). */
    private static final Map<String, String> NOT_Q4_K_M = Map.of("qwen3-0.6b", "Q8_0", "gemma3-270m-it", "Q8_0");


    @Test
    void shippedCatalogPinsEveryRequiredModelToARunnableVerifiableFile() {
        Catalog catalog = Catalog.builtIn();
        for (String name : REQUIRED) {
            CatalogEntry e = catalog.find(name).orElseThrow(() -> new AssertionError(name + " missing from models.lock"));
            assertTrue(e.sha256().isPresent(), name + " has no sha256");
            // Every entry runs on the llama.cpp slm ships (its own build's architecture table).
            assertTrue(SupportedArchitectures.isSupported(e.architecture()), name + ": " + e.architecture());
            assertTrue(e.size() > 50_000_000L, name + " size " + e.size());
            assertTrue(e.contextLength() >= 8192 && e.minRamMib() > 0 && !e.license().isEmpty()
                    && !e.template().isEmpty() && !e.parameters().isEmpty(), name + " lacks metadata");
            assertEquals(NOT_Q4_K_M.getOrDefault(name, "Q4_K_M"), e.quantization(), name);
            for (var url : e.urls()) {
                assertEquals("https", url.getScheme(), name);
                assertEquals("huggingface.co", url.getHost(), name);
                assertTrue(url.getPath().contains("/resolve/") && url.getPath().endsWith("/" + e.file()), url.toString());
            }
        }
        // A vision entry may share its model file with a text entry: the pair (model, projector) is unique.
        Set<String> hashes = new HashSet<>();
        catalog.entries().forEach(e -> assertTrue(hashes.add(e.sha256().orElseThrow()
                + e.projector().flatMap(CatalogEntry.Projector::sha256).orElse("")), "two entries pin one file: " + e.name()));
    }

    @Test
    void shippedCatalogPinsVisionModelsAsPairs() {
        Catalog catalog = Catalog.builtIn();
        List<CatalogEntry> vision = catalog.entries().stream().filter(CatalogEntry::seesImages).toList();
        assertTrue(vision.size() >= 2, "two vision models at least: " + vision);
        assertTrue(catalog.find("smolvlm:256m").orElseThrow().seesImages());
        assertTrue(catalog.find("gemma3-4b-vision").orElseThrow().seesImages());
        assertFalse(catalog.find("gemma3-4b-it").orElseThrow().seesImages(), "the text entry stays text only");
        for (CatalogEntry e : vision) {
            CatalogEntry.Projector p = e.projector().orElseThrow();
            assertTrue(p.sha256().isPresent() && p.size() > 50_000_000L, e.name() + ": " + p);
            assertTrue(SupportedArchitectures.isSupported(e.architecture()), e.name());
            for (var url : p.urls()) {
                assertEquals("huggingface.co", url.getHost(), e.name());
                assertTrue(url.getPath().endsWith("/" + p.file()), url.toString());
            }
        }
    }

    @Test
    void aProjectorTableIsCheckedLikeAModel(@TempDir Path dir) throws Exception {
        Path lock = dir.resolve("bad.lock");
        Files.writeString(lock, "[[model]]\nname = \"x\"\narchitecture = \"llama\"\nsize = 10\nurls = [\"https://h/x.gguf\"]\n"
                + "[model.projector]\nsize = 5\nsha256 = \"abc\"\nurls = [\"https://h/p.gguf\"]\n");
        SlmException e = assertThrows(SlmException.class, () -> Catalog.read(lock, false));
        assertTrue(e.getMessage().contains("projector: sha256 must be 64 hexadecimal digits"), e.getMessage());
        Files.writeString(lock, "[[model]]\nname = \"x\"\narchitecture = \"llama\"\nsize = 10\nurls = [\"https://h/x.gguf\"]\n"
                + "[model.projector]\nsize = 5\nurl = \"https://h/p.gguf\"\n");
        SlmException key = assertThrows(SlmException.class, () -> Catalog.read(lock, false));
        assertTrue(key.getMessage().contains("projector: unknown key 'url'"), key.getMessage());
    }

    @Test
    void namesAndAliasesMatchWhateverTheCase() {
        Catalog catalog = Catalog.builtIn();
        assertEquals("llama3.2-1b-instruct", catalog.find("llama3.2-1b").orElseThrow().name());
        assertEquals("qwen2.5-0.5b-instruct", catalog.find("Qwen2.5:0.5B").orElseThrow().name());
        assertEquals("qwen3-0.6b", catalog.find("Qwen3:0.6B").orElseThrow().name());
        assertEquals("qwen3", catalog.find("qwen3-0.6b").orElseThrow().architecture());
        assertEquals("gemma3n-e2b-it", catalog.find("gemma3n:e2b").orElseThrow().name());
        assertEquals("granitehybrid", catalog.find("granite-4.0-h-350m").orElseThrow().architecture());
        assertTrue(catalog.find("qwen3-8b").isEmpty());
    }

    @Test
    void closeNamesAreSuggestedForTyposAndPrefixes() {
        var spellings = Catalog.builtIn().spellings();
        assertEquals("qwen2.5-0.5b-instruct", NameSuggestions.closest("qwen2.5-0.5b-instrcut", spellings).get(0));
        assertEquals("llama3.2-1b-instruct", NameSuggestions.closest("lama3.2-1b", spellings).get(0));
        assertTrue(NameSuggestions.closest("gemma3", spellings).contains("gemma3-1b-it"));
        assertTrue(NameSuggestions.closest("mistral-7b-instruct-v0.3", spellings).isEmpty());
        assertEquals(" (did you mean a, b?)", NameSuggestions.hint(List.of("a", "b")));
    }

    @Test
    void userLockFileAddsAndReplacesEntries(@TempDir Path dir) throws Exception {
        Path lock = dir.resolve("models.lock");
        Files.writeString(lock, """
                [[model]]
                name = "qwen2.5-0.5b-instruct"
                architecture = "qwen2"
                size = 10
                sha256 = "%s"
                urls = ["https://mirror.example/q.gguf"]

                [[model]]
                name = "my-model"
                aliases = ["mine"]
                architecture = "llama"
                size = 20
                urls = ["https://mirror.example/m.gguf"]
                """.formatted("ab".repeat(32)));
        Catalog merged = Catalog.builtIn().withOverrides(Catalog.read(lock, false));
        assertEquals(10, merged.find("qwen2.5-0.5b-instruct").orElseThrow().size());
        assertTrue(merged.find("qwen2.5-0.5b").isEmpty(), "a replaced entry keeps only the aliases its new version lists");
        assertEquals("https://mirror.example/q.gguf", merged.find("qwen2.5-0.5b-instruct").orElseThrow().urls().get(0).toString());
        CatalogEntry mine = merged.find("mine").orElseThrow();
        assertEquals("my-model", mine.name());
        assertEquals("m.gguf", mine.file());
        assertFalse(mine.sha256().isPresent());
        assertEquals(Catalog.builtIn().entries().size() + 1, merged.entries().size());
        assertTrue(Catalog.read(dir.resolve("absent.lock"), true).entries().isEmpty());
    }

    @Test
    void mistakesInALockFileAreNamedWithTheEntry() {
        String bad = """
                [[model]]
                name = "x"
                architecture = "llama"
                size = 1
                sha265 = "00"
                urls = ["https://a/b"]
                """;
        SlmException e = assertThrows(SlmException.class, () -> Catalog.parse(bad, "my.lock"));
        assertTrue(e.getMessage().startsWith("my.lock: model #1 (x): unknown key 'sha265'"), e.getMessage());
        e = assertThrows(SlmException.class, () -> Catalog.parse(bad.replace("sha265 = \"00\"", "sha256 = \"00\""), "my.lock"));
        assertTrue(e.getMessage().contains("sha256 must be 64 hexadecimal digits"), e.getMessage());
        e = assertThrows(SlmException.class, () -> Catalog.parse(bad.replace("sha265 = \"00\"\n", "").replace("https://a/b", "ftp://a/b"), "my.lock"));
        assertTrue(e.getMessage().contains("is not an http(s) URL"), e.getMessage());
        e = assertThrows(SlmException.class, () -> Catalog.parse("[[model]\nname=", "my.lock"));
        assertTrue(e.getMessage().startsWith("my.lock is not valid TOML:") && e.getMessage().contains(" at line "), e.getMessage());
        e = assertThrows(SlmException.class, () -> Catalog.read(Path.of("/nonexistent/x.lock"), false));
        assertTrue(e.getMessage().contains("lock file not found"), e.getMessage());
    }

    @Test
    void architecturesNewerThanTheEmbeddedLlamaCppAreRefusedByName() {
        assertTrue(SupportedArchitectures.isSupported("gemma3"));
        assertTrue(SupportedArchitectures.isSupported("phi3"));
        // The binding's b4916 library, which slm falls back to where it has no build of its own.
        NativeBuild fallback = NativeBuild.forPlatform("windows-x86_64");
        SlmException e = assertThrows(SlmException.class, () -> SupportedArchitectures.require(fallback, "qwen3", "qwen3-0.6b"));
        assertEquals("qwen3-0.6b is a 'qwen3' model, which the llama.cpp inside slm (b4916) cannot load: pick another"
                + " model (`slm list --available` shows the catalog)", e.getMessage());
    }
}
