package dev.slm.catalog;

import dev.slm.SlmException;
import dev.slm.engine.llamacpp.NativeBuild;
import java.util.Map;

/**
 * The model architectures the llama.cpp inside slm can load: the table of the build slm runs on
 * ({@link NativeBuild#current()}), which for slm's own build is the pinned release's llm_arch table
 * (checked against the loaded library by a test) and for the binding's fallback library b4916's.
 */
public final class SupportedArchitectures {
    /** Families users will type whose architecture an older llama.cpp lacks. */
    private static final Map<String, String> FAMILY_ARCHITECTURES = Map.of(
            "qwen3", "qwen3", "llama4", "llama4", "gemma3n", "gemma3n", "gemma-3n", "gemma3n",
            "smollm3", "smollm3", "mistral3", "mistral3", "glm4", "glm4", "lfm2", "lfm2", "granite-4", "granitehybrid");

    private SupportedArchitectures() {
    }

    /** The llama.cpp release the architectures come from ("v0.5.0", "b4916"). */
    public static String llamaCppRelease() {
        return NativeBuild.current().release();
    }

    /** " (qwen3 models need a newer llama.cpp ...)" for a name of a family this llama.cpp cannot load, else "". */
    public static String newerFamilyHint(String name) {
        String n = ModelName.normalize(name);
        return FAMILY_ARCHITECTURES.entrySet().stream()
                .filter(e -> n.startsWith(e.getKey()) && !isSupported(e.getValue()))
                .map(e -> " (" + e.getKey() + " models need a newer llama.cpp than the " + llamaCppRelease() + " inside slm)")
                .findFirst().orElse("");
    }

    public static boolean isSupported(String architecture) {
        return NativeBuild.current().architectures().contains(architecture);
    }

    /** Fails with a one-line message when {@code what} (a model name or file) has an architecture slm cannot run. */
    public static void require(String architecture, String what) {
        require(NativeBuild.current(), architecture, what);
    }

    /** The same, for the llama.cpp build {@code build}. */
    public static void require(NativeBuild build, String architecture, String what) {
        if (!build.architectures().contains(architecture)) {
            throw new SlmException(what + " is a '" + architecture + "' model, which the llama.cpp inside slm ("
                    + build.release() + ") cannot load: pick another model (`slm list --available` shows the catalog)");
        }
    }
}
