package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.catalog.Catalog;
import dev.slm.catalog.CatalogEntry;
import dev.slm.catalog.ModelName;
import dev.slm.download.NoNetworkException;
import dev.slm.store.ByteSize;
import dev.slm.store.Manifest;
import dev.slm.store.ModelStore;
import dev.slm.store.Variant;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns the MODEL argument of a command into a model file: a path as given, else a name in the
 * model store, else a catalog name, pulled on first use (unless --offline).
 */
final class ModelReference {
    private ModelReference() {
    }

    static Path resolve(String model, ModelSourceOptions source) {
        return resolveModel(model, source).file();
    }

    /**
     * A model file, and for a variant (`slm create`) what it adds.
     *
     * @param name      the stored name; empty for a file given by its path
     * @param projector the vision projector a vision model was pulled with
     */
    record Resolved(Path file, Optional<String> name, Optional<Variant> variant, Optional<Path> projector) {
    }

    static Resolved resolveModel(String model, ModelSourceOptions source) {
        if (model == null || model.isBlank()) {
            throw new SlmException("no model given: pass a model name (`slm list --available`) or the path of a .gguf file");
        }
        Optional<Path> file = existingFile(model);
        if (file.isPresent()) {
            return new Resolved(file.get(), Optional.empty(), Optional.empty(), Optional.empty());
        }
        if (looksLikePath(model)) {
            throw new SlmException("model file not found: " + model
                    + " (pass the path of a .gguf file, or a model name: `slm list --available`)");
        }
        Manifest m = manifest(model, source);
        ModelStore store = source.store.store();
        return new Resolved(store.modelFile(m.name()).orElseThrow(), Optional.of(m.name()), m.variantOf(),
                store.projectorFile(m.name()));
    }

    /** The manifest of a model name: in the store, else pulled from the catalog (unless --offline). */
    static Manifest manifest(String model, ModelSourceOptions source) {
        ModelStore store = source.store.store();
        Catalog catalog = source.store.catalog();
        String name = catalog.find(model).map(CatalogEntry::name).orElse(ModelName.normalize(model));
        Optional<Manifest> stored = store.manifest(name);
        if (stored.isPresent()) {
            store.modelFile(name); // throws when its file is missing or damaged
            return stored.get();
        }
        CatalogEntry wanted = source.store.entry(catalog, model);
        if (source.offline) {
            throw new SlmException(wanted.name() + " is not in the model store (" + store.root() + ") and --offline"
                    + " forbids downloading it: run `slm pull " + wanted.name() + "` while online");
        }
        long bytes = wanted.size() + wanted.projector().map(CatalogEntry.Projector::size).orElse(0L);
        System.err.println(wanted.name() + " is not pulled yet: downloading " + ByteSize.format(bytes)
                + (wanted.seesImages() ? " (the model and its vision projector)" : "") + " into " + store.root());
        try {
            source.store.pull(store, wanted);
        } catch (NoNetworkException e) {
            throw new SlmException(e.getMessage() + ": connect, or pass --offline to use only the models already pulled"
                    + " (`slm list`)", e);
        }
        return store.manifest(wanted.name()).orElseThrow();
    }

    private static Optional<Path> existingFile(String model) {
        try {
            Path path = Path.of(model);
            return Files.exists(path) ? Optional.of(path) : Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** A path, not a name: names have no slashes and no .gguf ending. */
    static boolean looksLikePath(String model) {
        return model.contains("/") || model.contains("\\") || model.toLowerCase(Locale.ROOT).endsWith(".gguf")
                || model.startsWith("~");
    }
}
