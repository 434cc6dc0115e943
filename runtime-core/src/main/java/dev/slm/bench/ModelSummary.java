package dev.slm.bench;

import dev.slm.gguf.GgufFile;
import java.nio.file.Path;

/** The model a result belongs to, as llama-bench describes it (size = bytes of tensor data). */
public record ModelSummary(String file, String name, String architecture, String quantization, long parameters,
                           long sizeBytes) {

    public static ModelSummary of(GgufFile gguf) {
        Path file = gguf.path().getFileName();
        return new ModelSummary(file == null ? gguf.path().toString() : file.toString(),
                gguf.name().orElse(""), gguf.architecture(), gguf.quantization(), gguf.parameterCount(),
                gguf.tensorBytes());
    }
}
