package dev.slm.profile;

import java.util.List;

/**
 * The libjllama a profile runs on.
 *
 * @param variant          bundled: the CPU (or, on macOS arm64, Metal) library inside java-llama.cpp's
 *                         jar; custom: one the user built (CUDA...), found through {@code path_env} or {@code path}
 * @param bundledNeedsCpu  CPU features the bundled library's code uses; a CPU without them cannot run it
 * @param pathEnv          environment variable naming a directory with a libjllama to use instead
 * @param path             the same as a setting in the profile file (a user's copy of it); the variable wins
 * @param howToEnable      one sentence telling how to get the library when it is missing
 */
public record NativeLibrarySpec(Variant variant, List<String> bundledNeedsCpu, String pathEnv, String path,
                                String howToEnable) {

    public enum Variant {
        BUNDLED,
        CUSTOM
    }

    public NativeLibrarySpec {
        if (variant == null) {
            throw new IllegalArgumentException("native_library.variant must be bundled or custom");
        }
        if (pathEnv == null || !pathEnv.matches("[A-Z][A-Z0-9_]*")) {
            throw new IllegalArgumentException("native_library.path_env must name an environment variable (SLM_..._LIB), got " + pathEnv);
        }
        if (howToEnable == null || howToEnable.isBlank()) {
            throw new IllegalArgumentException("native_library.how_to_enable must say how to get the library");
        }
        bundledNeedsCpu = bundledNeedsCpu == null ? List.of() : List.copyOf(bundledNeedsCpu);
    }
}
