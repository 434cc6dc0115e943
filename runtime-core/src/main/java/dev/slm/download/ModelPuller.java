package dev.slm.download;

import dev.slm.SlmException;
import dev.slm.catalog.CatalogEntry;
import dev.slm.catalog.SupportedArchitectures;
import dev.slm.gguf.GgufReader;
import dev.slm.store.BlobLock;
import dev.slm.store.Manifest;
import dev.slm.store.ModelStore;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code slm pull}: brings a catalog entry into the store. Refuses, before any byte is fetched, an
 * entry slm could not run (an architecture the embedded llama.cpp lacks) or could not verify (no
 * sha256); a file already in the store (pulled under another name, imported) is not fetched again.
 */
public final class ModelPuller {
    private static final Logger log = LoggerFactory.getLogger(ModelPuller.class);
    private final ModelStore store;
    private final Downloader downloader;

    public ModelPuller(ModelStore store, Downloader downloader) {
        this.store = store;
        this.downloader = downloader;
    }

    /** What a pull did. */
    public record Result(Manifest manifest, boolean downloaded) {
    }

    public Result pull(CatalogEntry entry, ProgressReporter progress) {
        SupportedArchitectures.require(entry.architecture(), entry.name());
        String sha256 = entry.sha256().orElseThrow(() -> new SlmException(entry.name()
                + " has no sha256 in its lock file, so a download could not be verified: add the file's sha256"
                + " (Hugging Face shows it on the file's page) to the entry"));
        Optional<CatalogEntry.Projector> projector = entry.projector();
        String projectorSha256 = projector.map(p -> p.sha256().orElseThrow(() -> new SlmException(entry.name()
                + "'s vision projector has no sha256 in its lock file, so its download could not be verified: add the"
                + " projector file's sha256 to the entry"))).orElse(null);
        Optional<Manifest> before = current(entry.name());
        if (before.isPresent() && before.get().sha256().equals(sha256) && store.hasBlob(sha256, entry.size())
                && sameProjector(before.get(), projector, projectorSha256)) {
            return new Result(before.get(), false);
        }
        store.createDirectories();
        // Model and projector are one pull: the manifest, written last, names both or neither.
        Fetched model = fetch(new DownloadSpec(entry.name(), entry.urls(), entry.size(), sha256), progress,
                file -> SupportedArchitectures.require(GgufReader.read(file).architecture(), entry.name()));
        Manifest.Projector pulledProjector = null;
        boolean downloaded = model.downloaded;
        if (projector.isPresent()) {
            CatalogEntry.Projector p = projector.get();
            Fetched fetched = fetch(new DownloadSpec(entry.name() + " (vision projector)", p.urls(), p.size(),
                    projectorSha256), progress, file -> requireProjector(file, entry.name()));
            pulledProjector = new Manifest.Projector(projectorSha256, p.size(), p.file(), fetched.source.toString());
            downloaded |= fetched.downloaded;
        }
        Manifest manifest = Manifest.of(entry.name(), sha256, entry.size(), entry.file(), entry.architecture(),
                entry.quantization(), model.source.toString(), Instant.now()).withProjector(pulledProjector);
        store.save(manifest);
        // The catalog pinned a new file for this name: the old one goes unless another name uses it.
        before.filter(m -> !m.sha256().equals(sha256)).ifPresent(m -> store.deleteBlobIfUnused(m.sha256()));
        before.flatMap(Manifest::visionProjector).filter(p -> !p.sha256().equals(projectorSha256))
                .ifPresent(p -> store.deleteBlobIfUnused(p.sha256()));
        return new Result(manifest, downloaded);
    }

    private boolean sameProjector(Manifest before, Optional<CatalogEntry.Projector> projector, String sha256) {
        Optional<Manifest.Projector> had = before.visionProjector();
        if (projector.isEmpty() || had.isEmpty()) {
            return projector.isEmpty() && had.isEmpty();
        }
        return had.get().sha256().equals(sha256) && store.hasBlob(sha256, projector.get().size());
    }

    private static void requireProjector(java.nio.file.Path file, String name) {
        String architecture = GgufReader.read(file).architecture();
        if (!"clip".equals(architecture)) {
            throw new SlmException("the vision projector of " + name + " is not one (architecture '" + architecture
                    + "', a projector's is 'clip'): fix the lock file's entry");
        }
    }

    /** Where a blob came from, and whether this pull downloaded it (false: the store had it). */
    private record Fetched(URI source, boolean downloaded) {
    }

    /** A blob into the store, unless it is there already (pulled under another name, imported). */
    private Fetched fetch(DownloadSpec spec, ProgressReporter progress, java.util.function.Consumer<java.nio.file.Path> check) {
        if (store.hasBlob(spec.sha256(), spec.size())) {
            return new Fetched(spec.urls().get(0), false);
        }
        try (BlobLock lock = store.lock(spec.sha256(), progress::note)) {
            // A lock left by a process that died is routine (an interrupted pull): the user sees a
            // plain "resuming at N%" from the progress display, the details go to the debug log.
            lock.recoveredFrom().ifPresent(h -> log.debug("recovered the download lock left by {}", h));
            // Another process may have finished the same file while this one waited for the lock.
            if (store.hasBlob(spec.sha256(), spec.size())) {
                return new Fetched(spec.urls().get(0), false);
            }
            URI source = downloader.fetch(spec, store.partial(spec.sha256()), store.blob(spec.sha256()), progress, check);
            return new Fetched(source, true);
        }
    }

    /** The name's manifest; a corrupt one is replaced by the pull, which is its repair. */
    private Optional<Manifest> current(String name) {
        try {
            return store.manifest(name);
        } catch (SlmException corrupt) {
            return Optional.empty();
        }
    }
}
