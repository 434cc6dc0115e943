package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.catalog.Catalog;
import dev.slm.catalog.CatalogEntry;
import dev.slm.catalog.NameSuggestions;
import dev.slm.catalog.SupportedArchitectures;
import dev.slm.download.DownloadSettings;
import dev.slm.download.Downloader;
import dev.slm.download.ModelPuller;
import dev.slm.download.ProgressReporter;
import dev.slm.store.ModelStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where models live and which catalog names them: the flags every model command shares. */
final class StoreOptions {
    @Option(names = "--models-dir", paramLabel = "DIR",
            description = "Model store (default: $SLM_HOME/models, else ~/.cache/slm/models).")
    Path modelsDir;

    @Option(names = "--catalog", paramLabel = "FILE",
            description = "Your lock file, whose models are added to the built-in models.lock"
                    + " (default: $SLM_HOME/models.lock, else ~/.config/slm/models.lock, when present).")
    Path catalogFile;

    ModelStore store() {
        return ModelStore.at(modelsDir != null ? modelsDir : ModelStore.defaultRoot(System.getenv()));
    }

    Catalog catalog() {
        return catalogFile != null ? Catalog.builtIn().withOverrides(Catalog.read(catalogFile, false))
                : Catalog.builtInWithUserFile(System.getenv());
    }

    /** The catalog entry called {@code name}, or an error that suggests close names. */
    CatalogEntry entry(Catalog catalog, String name) {
        return catalog.find(name).orElseThrow(() -> new SlmException("unknown model '" + name + "'"
                + SupportedArchitectures.newerFamilyHint(name)
                + NameSuggestions.hint(NameSuggestions.closest(name, spellings(catalog)))
                + ": `slm list --available` shows the catalog, `slm list` the models pulled"));
    }

    /** Catalog spellings plus the names in the store (imported models are names too). */
    Map<String, String> spellings(Catalog catalog) {
        Map<String, String> all = new LinkedHashMap<>(catalog.spellings());
        store().manifestNames().forEach(n -> all.putIfAbsent(n, n));
        return all;
    }

    /** Pulls with progress on stderr: a bar on a terminal, plain lines otherwise. */
    ModelPuller.Result pull(ModelStore store, CatalogEntry entry) {
        try (Downloader downloader = new Downloader(DownloadSettings.fromEnvironment(System.getenv()), store.diskSpace())) {
            return new ModelPuller(store, downloader).pull(entry, progress());
        }
    }

    static ProgressReporter progress() {
        return ProgressReporter.to(System.err, System.console() != null);
    }
}
