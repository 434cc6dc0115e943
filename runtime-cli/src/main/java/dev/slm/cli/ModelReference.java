package dev.slm.cli;

import dev.slm.SlmException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Turns the MODEL argument of a command into a model file. */
final class ModelReference {
    private ModelReference() {
    }

    static Path resolve(String model) {
        if (model == null || model.isBlank()) {
            throw new SlmException("no model given: pass the path of a .gguf file");
        }
        Path path = Path.of(model);
        if (!Files.exists(path)) {
            throw new SlmException("model file not found: " + model + " (pass the path of a .gguf file)");
        }
        return path;
    }
}
