package dev.slm.catalog;

import dev.slm.SlmException;
import java.util.List;
import java.util.Set;

/**
 * The model architectures the llama.cpp inside slm can load. The list is llama.cpp's
 * {@code LLM_ARCH_NAMES} at build b4916, the build java-llama.cpp 4.2.0 embeds, as read from the
 * strings of its libjllama.so: newer families (qwen3, llama4, mistral3...) are not in it.
 */
public final class SupportedArchitectures {
    public static final String LLAMA_CPP_BUILD = "b4916";

    private static final Set<String> NAMES = Set.of(
            "llama", "deci", "falcon", "grok", "gpt2", "gptj", "gptneox", "mpt", "baichuan", "starcoder",
            "refact", "bert", "nomic-bert", "jina-bert-v2", "bloom", "stablelm", "qwen", "qwen2", "qwen2moe",
            "qwen2vl", "phi2", "phi3", "phimoe", "plamo", "codeshell", "orion", "internlm2", "minicpm",
            "minicpm3", "gemma", "gemma2", "gemma3", "starcoder2", "mamba", "xverse", "command-r", "cohere2",
            "dbrx", "olmo", "olmo2", "olmoe", "openelm", "arctic", "deepseek", "deepseek2", "chatglm",
            "bitnet", "t5", "t5encoder", "jais", "nemotron", "exaone", "rwkv6", "rwkv6qwen2", "rwkv7",
            "arwkv7", "granite", "granitemoe", "chameleon", "wavtokenizer-dec");

    /** Families released after b4916 whose names users will type; each has an architecture b4916 lacks. */
    private static final List<String> NEWER_FAMILIES = List.of("qwen3", "llama4", "gemma3n", "gemma-3n", "smollm3",
            "mistral3", "glm4", "lfm2");

    private SupportedArchitectures() {
    }

    /** " (qwen3 models need a newer llama.cpp ...)" for a name of a family too new for b4916, else "". */
    public static String newerFamilyHint(String name) {
        String n = ModelName.normalize(name);
        return NEWER_FAMILIES.stream().filter(n::startsWith).findFirst()
                .map(f -> " (" + f + " models need a newer llama.cpp than the " + LLAMA_CPP_BUILD + " inside slm)")
                .orElse("");
    }

    public static boolean isSupported(String architecture) {
        return NAMES.contains(architecture);
    }

    /** Fails with a one-line message when {@code what} (a model name or file) has an architecture slm cannot run. */
    public static void require(String architecture, String what) {
        if (!isSupported(architecture)) {
            throw new SlmException(what + " is a '" + architecture + "' model, which the llama.cpp inside slm ("
                    + LLAMA_CPP_BUILD + ") cannot load: pick another model (`slm list --available` shows the catalog)");
        }
    }
}
