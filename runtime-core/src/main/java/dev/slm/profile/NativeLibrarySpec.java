package dev.slm.profile;

import java.util.List;

/**
 * The native library a profile runs on.
 *
 * @param variant          bundled: slm's own build (or, where it has none, the library inside
 *                         java-llama.cpp's jar); custom: a libjllama the user built, found through
 *                         {@code path_env} or {@code path}; plugin: slm's own build with one of ggml's GPU
 *                         backends beside it (gpu-plugins.lock), installed by {@code slm profile install}
 * @param bundledNeedsCpu  CPU features the bundled library's code uses; a CPU without them cannot run it
 * @param plugin           plugin only: the gpu-plugins.lock entry ("cuda", "vulkan")
 * @param pathEnv          environment variable naming a directory with a libjllama (for plugin: a folder
 *                         holding the plug-in file) to use instead
 * @param path             the same as a setting in the profile file (a user's copy of it); the variable wins
 * @param howToEnable      one sentence telling how to get the library when it is missing
 */
public record NativeLibrarySpec(Variant variant, List<String> bundledNeedsCpu, String plugin, String pathEnv, String path,
                                String howToEnable) {

    public enum Variant {
        BUNDLED,
        CUSTOM,
        PLUGIN
    }

    public NativeLibrarySpec {
        if (variant == null) {
            throw new IllegalArgumentException("native_library.variant must be bundled, custom or plugin");
        }
        if ((variant == Variant.PLUGIN) != (plugin != null)) {
            throw new IllegalArgumentException("native_library.plugin names the GPU plug-in of variant = \"plugin\" (and only of it)");
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
