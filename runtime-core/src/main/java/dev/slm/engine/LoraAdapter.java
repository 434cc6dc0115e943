package dev.slm.engine;

import dev.slm.SlmException;
import dev.slm.gguf.GgufException;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufReader;
import dev.slm.gguf.GgufTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A LoRA adapter applied to a model when it is opened: a GGUF file of {@code general.type = adapter}
 * whose {@code <weight>.lora_a}/{@code .lora_b} pairs add {@code scale * B·A} to the base model's weights
 * (as llama.cpp's {@code --lora-scaled}). Scale 0 leaves the model as it is.
 */
public record LoraAdapter(Path path, float scale) {

    public LoraAdapter {
        if (path == null) {
            throw new IllegalArgumentException("a LoRA adapter needs a file");
        }
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException("LoRA scale must be a finite number, got " + scale);
        }
        if (path.toString().indexOf('\n') >= 0) {
            // The native side receives adapters one per line.
            throw new IllegalArgumentException("a LoRA adapter's path cannot contain a line break");
        }
    }

    public LoraAdapter(Path path) {
        this(path, 1f);
    }

    /**
     * Checks, in Java, what llama.cpp would otherwise refuse with a log line and a bare "could not
     * load": the file is a LoRA adapter for this model's architecture, and each pair targets a
     * weight the model has, in its shape.
     *
     * @throws SlmException with a one-line message naming the adapter file
     */
    public void checkFits(GgufFile model) {
        if (!Files.isRegularFile(path)) {
            throw new SlmException("LoRA adapter not found: " + path);
        }
        GgufFile adapter;
        try {
            adapter = GgufReader.read(path);
        } catch (GgufException e) {
            throw new SlmException("LoRA adapter " + path + ": " + e.getMessage());
        }
        String type = adapter.string("general.type").orElse("");
        if (!type.equals("adapter") || !adapter.string("adapter.type").orElse("").equals("lora")) {
            throw new SlmException(path + " is not a LoRA adapter (a GGUF file with general.type = adapter and"
                    + " adapter.type = lora; convert it with llama.cpp's convert_lora_to_gguf.py)");
        }
        if (!adapter.architecture().equals(model.architecture())) {
            throw new SlmException("LoRA adapter " + path + " is for '" + adapter.architecture()
                    + "' models, not for this '" + model.architecture() + "' model");
        }
        Map<String, GgufTensor> weights = new HashMap<>();
        model.tensors().forEach(t -> weights.put(t.name(), t));
        int pairs = 0;
        for (GgufTensor a : adapter.tensors()) {
            if (!a.name().endsWith(".lora_a")) {
                continue;
            }
            String target = a.name().substring(0, a.name().length() - ".lora_a".length());
            GgufTensor b = adapter.tensors().stream().filter(t -> t.name().equals(target + ".lora_b")).findFirst()
                    .orElseThrow(() -> new SlmException("LoRA adapter " + path + " has " + a.name() + " without "
                            + target + ".lora_b"));
            GgufTensor w = weights.get(target);
            if (w == null) {
                throw new SlmException("LoRA adapter " + path + " changes " + target
                        + ", which this model does not have: it was made for another base model");
            }
            boolean embedding = target.endsWith("token_embd.weight");
            boolean fits = embedding
                    ? w.shape()[0] == b.shape()[1] && w.shape()[1] == a.shape()[1]
                    : w.shape()[0] == a.shape()[0] && w.shape()[1] == b.shape()[1] && a.shape()[1] == b.shape()[0];
            if (!fits) {
                throw new SlmException("LoRA adapter " + path + " does not fit " + target + " (" + Arrays.toString(w.shape())
                        + "): it was made for another base model");
            }
            pairs++;
        }
        if (pairs == 0) {
            throw new SlmException("LoRA adapter " + path + " holds no lora_a/lora_b tensor pairs");
        }
    }
}
