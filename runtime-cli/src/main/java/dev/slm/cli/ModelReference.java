package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.catalog.Catalog;
import dev.slm.catalog.CatalogEntry;
import dev.slm.download.NoNetworkException;
import dev.slm.store.ByteSize;
import dev.slm.store.ModelStore;
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
        if (model == null || model.isBlank()) {
            throw new SlmException("no model given: pass a model name (`slm list --available`) or the path of a .gguf file");
        }
        Optional<Path> file = existingFile(model);
        if (file.isPresent()) {
            return file.get();
        }
        if (looksLikePath(model)) {
            throw new SlmException("model file not found: " + model
                    + " (pass the path of a .gguf file, or a model name: `slm list --available`)");
        }
        ModelStore store = source.store.store();
        Catalog catalog = source.store.catalog();
        Optional<Path> stored = store.modelFile(catalog, model);
        if (stored.isPresent()) {
            return stored.get();
        }
        CatalogEntry wanted = source.store.entry(catalog, model);
        if (source.offline) {
            throw new SlmException(wanted.name() + " is not in the model store (" + store.root() + ") and --offline"
                    + " forbids downloading it: run `slm pull " + wanted.name() + "` while online");
        }
        System.err.println(wanted.name() + " is not pulled yet: downloading " + ByteSize.format(wanted.size())
                + " into " + store.root());
        try {
            source.store.pull(store, wanted);
        } catch (NoNetworkException e) {
            throw new SlmException(e.getMessage() + ": connect, or pass --offline to use only the models already pulled"
                    + " (`slm list`)", e);
        }
        return store.modelFile(wanted.name()).orElseThrow();
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
