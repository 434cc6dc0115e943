package dev.slm.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What a named variant adds to its base model (`slm create NAME -f Slmfile`): the base model's blob
 * is its manifest's {@code sha256}, adapters are blobs of their own, the rest is text.
 *
 * @param from       the FROM line as written (a model name or a file), for `slm show`
 * @param system     system prompt; null = none
 * @param template   chat template (Jinja); null = the model's own
 * @param license    null = none
 * @param parameters Ollama's parameter names and values, in order (stop may repeat)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Variant(String from, String system, String template, String license, List<Parameter> parameters,
                      List<Adapter> adapters) {

    public Variant {
        parameters = parameters == null ? List.of() : List.copyOf(parameters);
        adapters = adapters == null ? List.of() : List.copyOf(adapters);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Parameter(String name, String value) {
    }

    /**
     * A LoRA adapter in the store.
     *
     * @param file the adapter's file name where it came from (for humans)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Adapter(String sha256, long size, String file, float scale) {
    }
}
