package dev.slm.cli;

import dev.slm.catalog.Catalog;
import dev.slm.catalog.CatalogEntry;
import dev.slm.catalog.ModelName;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufReader;
import dev.slm.store.ByteSize;
import dev.slm.store.Manifest;
import dev.slm.store.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Show what a model is: its file's GGUF header, where it came from, what the catalog says of it.")
final class ShowCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME|PATH", description = "A model name or the path of a .gguf file.")
    String model;

    @Mixin
    StoreOptions store;

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
            fields.put("name", name);
            manifest.ifPresent(m -> describe(m, fields));
            entry.ifPresent(e -> describe(e, fields));
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

    private static void describe(Manifest m, Map<String, String> out) {
        out.put("sha256", m.sha256());
        out.put("source", m.source());
        out.put("verified", m.lastVerified().map(Object::toString).orElse("never"));
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
