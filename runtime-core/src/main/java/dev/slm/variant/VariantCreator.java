package dev.slm.variant;

import dev.slm.SlmException;
import dev.slm.catalog.ModelName;
import dev.slm.catalog.SupportedArchitectures;
import dev.slm.engine.LoraAdapter;
import dev.slm.engine.SamplingOptions;
import dev.slm.engine.SamplingParameters;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufReader;
import dev.slm.store.Manifest;
import dev.slm.store.ModelImport;
import dev.slm.store.ModelStore;
import dev.slm.store.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code slm create NAME -f Slmfile}: checks an {@link Slmfile} against its base model and stores it
 * as a named variant: the base model's blob, the adapters copied into blobs of their own, the rest in
 * the manifest. A variant made FROM another variant starts from that one's system prompt,
 * parameters and adapters.
 */
public final class VariantCreator {
    /** Parameters that set how the model is opened rather than how it samples. */
    public static final String CONTEXT = "num_ctx";

    private final ModelStore store;

    public VariantCreator(ModelStore store) {
        this.store = store;
    }

    /**
     * @param dir    the Slmfile's folder: relative FROM and ADAPTER paths are read from there
     * @param byName the manifest of a model name (pulled first if need be); used when FROM is not a file
     */
    public Manifest create(String requestedName, Slmfile file, Path dir, Function<String, Manifest> byName) {
        String name = ModelName.require(requestedName);
        if (store.manifest(name).filter(m -> m.variantOf().isEmpty()).isPresent()) {
            // A variant is remade at will; a pulled or imported model is not replaced by one.
            throw new SlmException(name + " is a model of the store, not a variant: choose another name (or `slm rm " + name + "` first)");
        }
        checkParameters(file.parameters());
        file.template().ifPresent(VariantCreator::checkTemplate);
        Manifest base = base(file.from(), dir, byName);
        GgufFile baseGguf = GgufReader.read(store.blob(base.sha256()));
        Optional<Variant> inherited = base.variantOf();
        List<Variant.Adapter> adapters = new ArrayList<>(inherited.map(Variant::adapters).orElse(List.of()));
        ModelImport copier = new ModelImport(store);
        for (Slmfile.Adapter a : file.adapters()) {
            Path path = dir.resolve(a.path());
            new LoraAdapter(path, a.scale()).checkFits(baseGguf);
            ModelImport.Blob blob = copier.copyIn(path);
            adapters.add(new Variant.Adapter(blob.sha256(), blob.size(), path.getFileName().toString(), a.scale()));
        }
        Set<String> overridden = file.parameters().stream().map(Slmfile.Parameter::name).collect(Collectors.toSet());
        List<Variant.Parameter> parameters = new ArrayList<>();
        inherited.ifPresent(v -> v.parameters().stream().filter(p -> !overridden.contains(p.name())).forEach(parameters::add));
        file.parameters().forEach(p -> parameters.add(new Variant.Parameter(p.name(), p.value())));
        Variant variant = new Variant(file.from(),
                file.system().or(() -> inherited.map(Variant::system)).orElse(null),
                file.template().or(() -> inherited.map(Variant::template)).orElse(null),
                file.license().or(() -> inherited.map(Variant::license)).orElse(null),
                parameters, adapters);
        Manifest manifest = base.asVariant(name, variant, "slmfile:" + dir.toAbsolutePath().normalize(), Instant.now());
        store.save(manifest);
        return manifest;
    }

    private Manifest base(String from, Path dir, Function<String, Manifest> byName) {
        Path file = dir.resolve(from);
        if (Files.isRegularFile(file)) {
            GgufFile gguf = GgufReader.read(file);
            SupportedArchitectures.require(gguf.architecture(), file.toString());
            ModelImport.Blob blob = new ModelImport(store).copyIn(file);
            return Manifest.of("from-file", blob.sha256(), blob.size(), file.getFileName().toString(), gguf.architecture(),
                    gguf.quantization(), file.toAbsolutePath().normalize().toUri().toString(), Instant.now());
        }
        return byName.apply(from);
    }

    /**
     * Ollama's TEMPLATE is a Go template ({{ .System }}, {{ if .Prompt }}); llama.cpp runs Jinja
     * templates, as GGUF files carry them. A Go template would be refused at every load, so it is
     * refused here, saying what to write instead.
     */
    static void checkTemplate(String template) {
        if (GO_TEMPLATE.matcher(template).find()) {
            throw new SlmException("TEMPLATE is a Go template (Ollama's {{ .Prompt }} syntax); slm applies Jinja chat templates"
                    + " as llama.cpp does ({% for message in messages %}...): write it in Jinja, or leave TEMPLATE out to use the model's own");
        }
    }

    private static final Pattern GO_TEMPLATE = Pattern.compile("\\{\\{-?\\s*(\\.|(if|range|with)\\s+\\.|end\\s*-?\\}\\})");

    /** Every PARAMETER must be one slm applies, with a value it takes: a typo fails here, not at each run. */
    static void checkParameters(List<Slmfile.Parameter> parameters) {
        SamplingOptions s = SamplingOptions.defaults();
        for (Slmfile.Parameter p : parameters) {
            if (p.name().equals(CONTEXT)) {
                try {
                    if (Integer.parseInt(p.value().strip()) < 1) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new SlmException("PARAMETER num_ctx takes a positive number of tokens, got " + p.value());
                }
                continue;
            }
            if (!SamplingParameters.known(p.name())) {
                throw new SlmException("unknown PARAMETER " + p.name() + "; slm applies " + String.join(", ", SamplingParameters.NAMES)
                        + " and " + CONTEXT);
            }
            try {
                s = SamplingParameters.set(s, p.name(), p.value(), List.of(p.value()));
            } catch (IllegalArgumentException e) {
                throw new SlmException("PARAMETER " + p.name() + ": " + e.getMessage());
            }
        }
    }

    /** The sampling options of {@code base} with a variant's parameters applied (stop lines add up). */
    public static SamplingOptions sampling(SamplingOptions base, List<Variant.Parameter> parameters) {
        SamplingOptions s = base;
        List<String> stops = new ArrayList<>();
        for (Variant.Parameter p : parameters) {
            if (p.name().equals(CONTEXT)) {
                continue;
            }
            if (p.name().equals("stop")) {
                stops.add(p.value());
            }
            s = SamplingParameters.set(s, p.name(), p.value(), List.copyOf(stops));
        }
        return s;
    }

    /** A variant's num_ctx, if it sets one. */
    public static Optional<Integer> contextSize(Variant v) {
        return v.parameters().stream().filter(p -> p.name().equals(CONTEXT)).reduce((a, b) -> b)
                .map(p -> Integer.parseInt(p.value().strip()));
    }
}
