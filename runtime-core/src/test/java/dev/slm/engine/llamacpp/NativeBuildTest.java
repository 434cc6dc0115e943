package dev.slm.engine.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.slm.SlmException;
import dev.slm.catalog.SupportedArchitectures;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class NativeBuildTest {

    @Test
    void theIndexIsReadAndCheckedWhole() {
        NativeBuild b = NativeBuild.parse("linux-x86_64", """
                release=v9
                commit=abc
                file=libjllama.so 00ff 12
                file=libggml.so.0 11ee 34
                arch=llama
                arch=qwen3
                """, "id");
        assertTrue(b.isOwn());
        assertEquals("v9", b.release());
        assertEquals(2, b.files().size());
        assertEquals(Set.of("llama", "qwen3"), b.architectures());
        assertThrows(SlmException.class, () -> NativeBuild.parse("linux-x86_64", "release=v9\narch=llama\n", "id"));
        assertThrows(SlmException.class, () -> NativeBuild.parse("linux-x86_64",
                "release=v9\nfile=../evil.so 00 1\narch=llama\n", "id"));
    }

    @Test
    void platformsWithoutAnOwnBuildFallBackToTheBindingsB4916() {
        NativeBuild b = NativeBuild.forPlatform("mac-aarch64");
        assertFalse(b.isOwn());
        assertEquals("b4916", b.release());
        assertFalse(b.architectures().contains("qwen3"));
        assertTrue(b.describe().contains("java-llama.cpp"), b.describe());
    }

    /** The architectures slm accepts at pull and import are those the loaded library really has. */
    @Test
    void theIndexsArchitecturesAreTheLoadedLibrarys() {
        NativeBuild b = NativeBuild.current();
        assumeTrue(b.isOwn(), "slm has no own native library on this platform");
        LlamaNativeLibrary.load(Optional.empty());
        assertTrue(LlamaNativeLibrary.ownBuildLoaded());
        Set<String> loaded = Arrays.stream(SlmNative.architectures().split("\n")).filter(s -> !s.isBlank())
                .collect(Collectors.toSet());
        assertEquals(loaded, b.architectures());
        assertTrue(loaded.containsAll(Set.of("qwen3", "gemma3", "gemma3n", "smollm3", "lfm2", "llama4", "granitehybrid")), loaded.toString());
        assertTrue(LlamaNativeLibrary.loadedRelease().startsWith(b.release() + " ("), LlamaNativeLibrary.loadedRelease());
        assertTrue(LlamaNativeLibrary.devices().contains("CPU"), LlamaNativeLibrary.devices());
        SupportedArchitectures.require("qwen3", "qwen3-0.6b");
        assertEquals("", SupportedArchitectures.newerFamilyHint("qwen3-0.6b"));
    }
}
