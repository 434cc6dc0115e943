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
        Optional<Manifest> before = current(entry.name());
        if (before.isPresent() && before.get().sha256().equals(sha256) && store.hasBlob(sha256, entry.size())) {
            return new Result(before.get(), false);
        }
        store.createDirectories();
        boolean downloaded = false;
        URI source = entry.urls().get(0);
        if (!store.hasBlob(sha256, entry.size())) {
            try (BlobLock lock = store.lock(sha256, progress::note)) {
                // A lock left by a process that died is routine (an interrupted pull): the user sees a
                // plain "resuming at N%" from the progress display, the details go to the debug log.
                lock.recoveredFrom().ifPresent(h -> log.debug("recovered the download lock left by {}", h));
                // Another process may have finished the same file while this one waited for the lock.
                if (!store.hasBlob(sha256, entry.size())) {
                    source = downloader.fetch(new DownloadSpec(entry.name(), entry.urls(), entry.size(), sha256),
                            store.partial(sha256), store.blob(sha256), progress,
                            file -> SupportedArchitectures.require(GgufReader.read(file).architecture(), entry.name()));
                    downloaded = true;
                }
            }
        }
        Manifest manifest = Manifest.of(entry.name(), sha256, entry.size(), entry.file(), entry.architecture(),
                entry.quantization(), source.toString(), Instant.now());
        store.save(manifest);
        // The catalog pinned a new file for this name: the old one goes unless another name uses it.
        before.filter(m -> !m.sha256().equals(sha256)).ifPresent(m -> store.deleteBlobIfUnused(m.sha256()));
        return new Result(manifest, downloaded);
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
