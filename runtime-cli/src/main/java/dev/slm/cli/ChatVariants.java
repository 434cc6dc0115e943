package dev.slm.cli;

import dev.slm.engine.Model;
import dev.slm.engine.SamplingOptions;
import dev.slm.store.Manifest;
import dev.slm.store.Variant;
import dev.slm.variant.Slmfile;
import dev.slm.variant.VariantCreator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code /save NAME} and {@code /load NAME} in a chat: a conversation's settings saved as a named
 * variant (as `slm create` makes them), and a variant (or any model) opened in its place.
 */
final class ChatVariants {
    /** A model opened by /load, with the settings its variant brings. */
    record Loaded(Model model, SamplingOptions sampling, String system) {
    }

    private final ModelSourceOptions source;
    private final ModelOptionsMixin modelOptions;
    private final SamplingMixin samplingFlags;
    /** What the chat runs: a stored name, or the absolute path of a file. */
    private String current;

    ChatVariants(ModelReference.Resolved resolved, ModelSourceOptions source, ModelOptionsMixin modelOptions,
                 SamplingMixin samplingFlags) {
        this.current = resolved.name().orElse(resolved.file().toAbsolutePath().toString());
        this.source = source;
        this.modelOptions = modelOptions;
        this.samplingFlags = samplingFlags;
    }

    /**
     * Saves the model in use (with the --lora adapters of the command line) and these settings as
     * {@code name}; a variant saved over keeps nothing of its old self.
     */
    Manifest save(String name, String system, SamplingOptions sampling) {
        List<Slmfile.Adapter> adapters = modelOptions.adapters().stream()
                .map(a -> new Slmfile.Adapter(a.path().toAbsolutePath().toString(), a.scale())).toList();
        Slmfile file = new Slmfile(current, Optional.ofNullable(system).filter(s -> !s.isBlank()), Optional.empty(),
                Optional.empty(), parameters(sampling), adapters);
        return new VariantCreator(source.store.store()).create(name, file, Path.of("").toAbsolutePath(),
                from -> ModelReference.manifest(from, source));
    }

    /** Opens {@code name} (a variant, a stored model, a file); the command line's flags still apply over it. */
    Loaded load(String name) {
        ModelReference.Resolved resolved = ModelReference.resolveModel(name, source);
        Model model = modelOptions.open(resolved, source.store.store());
        current = resolved.name().orElse(resolved.file().toAbsolutePath().toString());
        return new Loaded(model, samplingFlags.toOptions(resolved.variant()),
                resolved.variant().map(Variant::system).orElse(null));
    }

    /** Every sampling setting in force, in Ollama's names: /save snapshots them all. */
    static List<Slmfile.Parameter> parameters(SamplingOptions s) {
        List<Slmfile.Parameter> out = new ArrayList<>(List.of(
                parameter("temperature", s.temperature()), parameter("top_k", s.topK()), parameter("top_p", s.topP()),
                parameter("min_p", s.minP()), parameter("repeat_penalty", s.repeatPenalty()),
                parameter("repeat_last_n", s.repeatLastN()), parameter("seed", s.seed()),
                parameter("num_predict", s.maxTokens())));
        s.stop().forEach(stop -> out.add(new Slmfile.Parameter("stop", stop)));
        return out;
    }

    private static Slmfile.Parameter parameter(String name, Number value) {
        return new Slmfile.Parameter(name, String.format(Locale.ROOT, "%s", value));
    }
}
