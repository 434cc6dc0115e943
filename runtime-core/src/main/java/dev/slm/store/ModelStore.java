package dev.slm.store;

import dev.slm.SlmException;
import dev.slm.catalog.Catalog;
import dev.slm.catalog.CatalogEntry;
import dev.slm.catalog.ModelName;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Models on disk, laid out like Ollama's store: content-addressed blobs plus one manifest per name.
 *
 * <pre>
 * ROOT/blobs/sha256-HEX          verified model files, named by their hash (never written in place)
 * ROOT/manifests/NAME.json       which blob a name means, where it came from, when it was verified
 * ROOT/partial/sha256-HEX.part   downloads under way or interrupted (resumed by the next pull)
 * ROOT/locks/sha256-HEX.lock     one lock per blob (see {@link BlobLock})
 * </pre>
 */
public final class ModelStore {
    private static final String BLOB_PREFIX = "sha256-";

    private final Path root;
    private final DiskSpace diskSpace;

    private ModelStore(Path root, DiskSpace diskSpace) {
        this.root = root.toAbsolutePath().normalize();
        this.diskSpace = diskSpace;
    }

    public static ModelStore at(Path root) {
        return new ModelStore(root, DiskSpace.SYSTEM);
    }

    public static ModelStore at(Path root, DiskSpace diskSpace) {
        return new ModelStore(root, diskSpace);
    }

    /** $SLM_HOME/models, else $XDG_CACHE_HOME/slm/models, else ~/.cache/slm/models. */
    public static Path defaultRoot(Map<String, String> env) {
        String home = env.get("SLM_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home).resolve("models");
        }
        String xdg = env.get("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("slm").resolve("models");
    }

    public Path root() {
        return root;
    }

    public DiskSpace diskSpace() {
        return diskSpace;
    }

    public Path blob(String sha256) {
        return root.resolve("blobs").resolve(BLOB_PREFIX + sha256);
    }

    public Path partial(String sha256) {
        return partialDir().resolve(BLOB_PREFIX + sha256 + ".part");
    }

    /** Where files being written (downloads, imports) live until they are complete and renamed into blobs/. */
    public Path partialDir() {
        return root.resolve("partial");
    }

    /** Creates the store's folders (a store is created by its first write). */
    public void createDirectories() {
        try {
            Files.createDirectories(root.resolve("blobs"));
            Files.createDirectories(partialDir());
        } catch (IOException e) {
            throw new SlmException("cannot create the model store " + root + ": " + e.getMessage()
                    + " (choose a writable directory with --models-dir or SLM_HOME)");
        }
    }

    public Path lockFile(String sha256) {
        return root.resolve("locks").resolve(BLOB_PREFIX + sha256 + ".lock");
    }

    /** Takes the lock on one blob (see {@link BlobLock}). */
    public BlobLock lock(String sha256, Consumer<String> onWait) {
        return BlobLock.acquire(lockFile(sha256), onWait);
    }

    /** Whether the blob is in place with the right size; only {@code slm verify} re-hashes it. */
    public boolean hasBlob(String sha256, long size) {
        try {
            return Files.isRegularFile(blob(sha256)) && Files.size(blob(sha256)) == size;
        } catch (IOException e) {
            return false;
        }
    }

    private Path manifestFile(String name) {
        return root.resolve("manifests").resolve(name + ".json");
    }

    /** The manifest of {@code name}; a corrupt one fails with a message saying how to repair it. */
    public Optional<Manifest> manifest(String name) {
        String n = ModelName.normalize(name);
        if (!ModelName.isValid(n) || !Files.exists(manifestFile(n))) {
            return Optional.empty();
        }
        return Optional.of(ManifestFile.read(manifestFile(n), n));
    }

    public void save(Manifest manifest) {
        ManifestFile.write(manifestFile(ModelName.require(manifest.name())), manifest);
    }

    /** The model file of a stored name, checked to be in place; empty when the store has no such name. */
    public Optional<Path> modelFile(String name) {
        return manifest(name).map(m -> {
            if (!hasBlob(m.sha256(), m.size())) {
                throw new SlmException("the file of " + m.name() + " is missing or damaged in " + root
                        + ": run `slm pull " + m.name() + "` (or import it) again");
            }
            return blob(m.sha256());
        });
    }

    /**
     * The vision projector of a stored name, checked to be in place; empty for a text model or a name
     * the store does not hold.
     */
    public Optional<Path> projectorFile(String name) {
        return manifest(name).flatMap(Manifest::visionProjector).map(p -> {
            if (!hasBlob(p.sha256(), p.size())) {
                throw new SlmException("the vision projector of " + name + " is missing or damaged in " + root
                        + ": run `slm pull " + name + "` again");
            }
            return blob(p.sha256());
        });
    }

    /**
     * The model file of a name as users write it: a catalog name or alias (any spelling the catalog
     * accepts) or a name given at import; empty when the store does not hold it.
     */
    public Optional<Path> modelFile(Catalog catalog, String nameOrAlias) {
        return modelFile(storedName(catalog, nameOrAlias));
    }

    /** The vision projector of a name as users write it (see {@link #modelFile(Catalog, String)}). */
    public Optional<Path> projectorFile(Catalog catalog, String nameOrAlias) {
        return projectorFile(storedName(catalog, nameOrAlias));
    }

    private static String storedName(Catalog catalog, String nameOrAlias) {
        return catalog.find(nameOrAlias).map(CatalogEntry::name).orElse(ModelName.normalize(nameOrAlias));
    }

    /** The file of a variant's adapter, checked to be in place. */
    public Path adapterFile(String variantName, Variant.Adapter adapter) {
        if (!hasBlob(adapter.sha256(), adapter.size())) {
            throw new SlmException("the adapter " + adapter.file() + " of " + variantName + " is missing or damaged in " + root
                    + ": create " + variantName + " again (`slm create " + variantName + " -f Slmfile`)");
        }
        return blob(adapter.sha256());
    }

    /**
     * Gives a stored model a second name (`slm cp`): a new manifest for the same blobs.
     *
     * @throws SlmException when {@code from} is not in the store or {@code to} is taken
     */
    public Manifest copy(Catalog catalog, String from, String to) {
        String source = catalog.find(from).map(CatalogEntry::name).orElse(ModelName.normalize(from));
        Manifest m = manifest(source).orElseThrow(() -> new SlmException("no model named " + from + " in " + root
                + " (`slm list` shows what is there)"));
        String target = ModelName.require(to);
        if (manifest(target).isPresent()) {
            throw new SlmException("a model called " + target + " exists already: `slm rm " + target + "` first, or choose another name");
        }
        Manifest copy = m.named(target);
        save(copy);
        return copy;
    }

    /** Every name in the store, sorted, each with its manifest or what is wrong with it. */
    public List<StoredModel> list() {
        List<StoredModel> out = new ArrayList<>();
        for (String name : manifestNames()) {
            try {
                Manifest m = manifest(name).orElseThrow();
                Optional<String> problem = !hasBlob(m.sha256(), m.size())
                        ? Optional.of("file missing or damaged: pull it again")
                        : m.visionProjector().filter(p -> !hasBlob(p.sha256(), p.size())).isPresent()
                        ? Optional.of("vision projector missing or damaged: pull it again") : Optional.empty();
                out.add(new StoredModel(name, Optional.of(m), problem));
            } catch (SlmException e) {
                out.add(new StoredModel(name, Optional.empty(), Optional.of(e.getMessage())));
            }
        }
        return out;
    }

    /** Names that have a manifest file, readable or not. */
    public List<String> manifestNames() {
        Path dir = root.resolve("manifests");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".json") && !f.startsWith("."))
                    .map(f -> f.substring(0, f.length() - ".json".length()))
                    .filter(ModelName::isValid)
                    .sorted().toList();
        } catch (IOException e) {
            throw new SlmException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Removes a name; its blob goes too when no other name uses it. A corrupt manifest is removed all
     * the same (that is the repair its message suggests).
     *
     * @return bytes freed on disk
     */
    public long remove(String name) {
        String n = ModelName.normalize(name);
        Path file = manifestFile(n);
        if (!ModelName.isValid(n) || !Files.exists(file)) {
            throw new SlmException("no model named " + name + " in " + root + " (`slm list` shows what is there)");
        }
        Optional<Manifest> manifest;
        try {
            manifest = manifest(n);
        } catch (SlmException corrupt) {
            manifest = Optional.empty();
        }
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new SlmException("cannot remove " + file + ": " + e.getMessage());
        }
        return manifest.map(m -> deleteBlobIfUnused(m.sha256())
                + m.visionProjector().map(p -> deleteBlobIfUnused(p.sha256())).orElse(0L)
                + m.variantOf().map(v -> v.adapters().stream().mapToLong(a -> deleteBlobIfUnused(a.sha256())).sum()).orElse(0L))
                .orElse(0L);
    }

    /** Deletes a blob and its partial download unless some manifest still names it. */
    public long deleteBlobIfUnused(String sha256) {
        try (BlobLock ignored = lock(sha256, line -> { })) {
            if (referencedBlobs().contains(sha256)) {
                return 0;
            }
            long freed = 0;
            for (Path p : List.of(blob(sha256), partial(sha256))) {
                if (Files.exists(p)) {
                    freed += Files.size(p);
                    Files.delete(p);
                }
            }
            return freed;
        } catch (IOException e) {
            throw new SlmException("cannot delete the file of " + sha256 + ": " + e.getMessage());
        }
    }

    /** Blobs named by readable manifests; an unreadable manifest keeps every blob (we cannot tell which is its). */
    private Set<String> referencedBlobs() {
        Set<String> used = new HashSet<>();
        for (StoredModel m : list()) {
            if (m.manifest().isEmpty()) {
                return allBlobs();
            }
            used.add(m.manifest().get().sha256());
            m.manifest().get().variantOf().ifPresent(v -> v.adapters().forEach(a -> used.add(a.sha256())));
            m.manifest().get().visionProjector().ifPresent(p -> used.add(p.sha256()));
        }
        return used;
    }

    private Set<String> allBlobs() {
        Set<String> all = new HashSet<>();
        Path dir = root.resolve("blobs");
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> blobs = Files.newDirectoryStream(dir, BLOB_PREFIX + "*")) {
                blobs.forEach(p -> all.add(p.getFileName().toString().substring(BLOB_PREFIX.length())));
            } catch (IOException e) {
                throw new SlmException("cannot list " + dir + ": " + e.getMessage());
            }
        }
        return all;
    }
}
