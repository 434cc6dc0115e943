package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.catalog.Catalog;
import dev.slm.catalog.CatalogEntry;
import dev.slm.catalog.ModelName;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufReader;
import dev.slm.store.ByteSize;
import dev.slm.store.Manifest;
import dev.slm.store.ModelStore;
import dev.slm.store.Variant;
import dev.slm.variant.Slmfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Show what a model is: its file's GGUF header, where it came from, what the catalog says of it.")
final class ShowCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME|PATH", description = "A model name or the path of a .gguf file.")
    String model;

    @Mixin
    StoreOptions store;

    @Option(names = "--modelfile", description = "Print a variant's Slmfile (what `slm create` was given), only that.")
    boolean modelfile;

    @Override
    public Integer call() {
        Map<String, String> fields = new LinkedHashMap<>();
        Path path = Path.of(model);
        Optional<Path> file;
        if (ModelReference.looksLikePath(model) || Files.exists(path)) {
            file = Optional.of(path);
        } else {
            Catalog catalog = store.catalog();
            Optional<CatalogEntry> entry = catalog.find(model);
            String name = entry.map(CatalogEntry::name).orElse(ModelName.normalize(model));
            ModelStore models = store.store();
            Optional<Manifest> manifest = models.manifest(name);
            if (manifest.isEmpty() && entry.isEmpty()) {
                store.entry(catalog, model); // throws: unknown name, with suggestions
            }
            if (modelfile) {
                Manifest m = manifest.orElseThrow(() -> new SlmException(name + " is not in the store: `slm show "
                        + name + "` describes it, --modelfile prints only variants made with `slm create`"));
                System.out.print(slmfile(m, models));
                return ExitCodes.OK;
            }
            fields.put("name", name);
            manifest.ifPresent(m -> describe(m, fields));
            manifest.flatMap(Manifest::variantOf).ifPresent(v -> describe(v, models, name, fields));
            entry.ifPresent(e -> describe(e, fields));
            fields.put("images", images(manifest, entry));
            file = manifest.isPresent() ? models.modelFile(name) : Optional.empty();
            if (file.isEmpty()) {
                fields.put("pulled", "no (`slm pull " + name + "` downloads " + ByteSize.format(entry.orElseThrow().size()) + ")");
            }
        }
        file.ifPresent(f -> describe(GgufReader.read(f), fields));
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
        fields.forEach((k, v) -> System.out.println(String.format("%-" + width + "s  %s", k, v)));
        return ExitCodes.OK;
    }

    /** Whether the model sees images: it was pulled, or the catalog pins it, with a vision projector. */
    private static String images(Optional<Manifest> manifest, Optional<CatalogEntry> entry) {
        if (manifest.isPresent()) {
            return manifest.get().visionProjector()
                    .map(p -> "yes (vision projector " + p.file() + ", " + ByteSize.format(p.size()) + ", sha256 " + p.sha256() + ")")
                    .orElse("no");
        }
        return entry.flatMap(CatalogEntry::projector)
                .map(p -> "yes (vision projector " + p.file() + ", " + ByteSize.format(p.size()) + ", pulled with the model)")
                .orElse("no");
    }

    private static void describe(Manifest m, Map<String, String> out) {
        out.put("sha256", m.sha256());
        out.put("source", m.source());
        out.put("verified", m.lastVerified().map(Object::toString).orElse("never"));
    }

    private static void describe(Variant v, ModelStore store, String name, Map<String, String> out) {
        out.put("variant of", v.from());
        if (v.system() != null) {
            out.put("system", v.system().replace("\n", "\n" + " ".repeat(8)));
        }
        v.parameters().forEach(p -> out.merge("parameters", p.name() + " " + p.value(), (a, b) -> a + "; " + b));
        for (Variant.Adapter a : v.adapters()) {
            out.merge("adapters", a.file() + " (scale " + a.scale() + ", " + ByteSize.format(a.size()) + ")",
                    (x, y) -> x + "; " + y);
        }
        if (v.template() != null) {
            out.put("variant template", v.template().length() + " characters (`slm show " + name + " --modelfile`)");
        }
        if (v.license() != null) {
            out.put("variant license", v.license().lines().findFirst().orElse(""));
        }
    }

    /** A variant as an Slmfile that `slm create` takes back: adapters (and a FROM file) as their blobs. */
    private static String slmfile(Manifest m, ModelStore store) {
        Variant v = m.variantOf().orElse(new Variant(m.name(), null, null, null, null, null));
        String from = ModelReference.looksLikePath(v.from()) || v.from().endsWith(".gguf")
                ? store.blob(m.sha256()).toString() : v.from();
        return new Slmfile(from, Optional.ofNullable(v.system()), Optional.ofNullable(v.template()),
                Optional.ofNullable(v.license()),
                v.parameters().stream().map(p -> new Slmfile.Parameter(p.name(), p.value())).toList(),
                v.adapters().stream().map(a -> new Slmfile.Adapter(store.blob(a.sha256()).toString(), a.scale())).toList())
                .text();
    }

    private static void describe(CatalogEntry e, Map<String, String> out) {
        if (!e.aliases().isEmpty()) {
            out.put("aliases", String.join(", ", e.aliases()));
        }
        out.put("license", e.license());
        out.put("template", e.template());
        if (e.minRamMib() > 0) {
            out.put("min RAM", ByteSize.mebibytes(e.minRamMib()) + " (estimate, 4096-token context)");
        }
        out.putIfAbsent("sha256", e.sha256().orElse("none (unverifiable: `slm pull` refuses it)"));
        out.putIfAbsent("source", e.urls().get(0).toString());
        out.put("catalog", e.parameters() + " parameters, " + e.quantization() + ", " + ByteSize.format(e.size())
                + ", " + e.architecture() + ", " + e.contextLength() + "-token context");
    }

    private static void describe(GgufFile g, Map<String, String> out) {
        out.put("file", g.path().toAbsolutePath().toString());
        out.put("size", ByteSize.format(g.fileSize()) + " (" + g.fileSize() + " bytes)");
        out.put("gguf version", String.valueOf(g.version()));
        g.name().ifPresent(n -> out.put("model name", n));
        out.put("architecture", g.architecture());
        if ("clip".equals(g.architecture())) {
            out.put("images", "this is a vision projector: give it beside its model with --mmproj");
        }
        out.put("parameters", parameters(g.parameterCount()));
        out.put("quantization", g.quantization());
        g.contextLength().ifPresent(c -> out.put("context length", c + " tokens"));
        g.blockCount().ifPresent(b -> out.put("layers", String.valueOf(b)));
        g.embeddingLength().ifPresent(e -> out.put("embedding length", String.valueOf(e)));
        g.headCount().ifPresent(h -> out.put("attention heads", h + " (" + g.headCountKv().orElse(h) + " for keys/values)"));
        out.put("tokenizer", g.tokenizerModel().orElse("none") + g.vocabularySize().map(v -> ", " + v + " tokens").orElse(""));
        out.put("chat template", g.chatTemplate().map(t -> "yes (" + t.length() + " characters)").orElse("none"));
        out.put("weights", ByteSize.format(g.tensorBytes()) + " in " + g.tensors().size() + " tensors");
    }

    private static String parameters(long n) {
        return n >= 1_000_000_000 ? String.format(Locale.ROOT, "%.2fB", n / 1e9)
                : n >= 1_000_000 ? String.format(Locale.ROOT, "%.1fM", n / 1e6)
                : String.format(Locale.ROOT, "%.1fK", n / 1e3);
    }
}
