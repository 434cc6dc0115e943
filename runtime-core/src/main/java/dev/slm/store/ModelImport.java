package dev.slm.store;

import dev.slm.SlmException;
import dev.slm.catalog.ModelName;
import dev.slm.catalog.SupportedArchitectures;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Optional;

/** {@code slm import}: adopts a local GGUF file into the store under a name, after checking it. */
public final class ModelImport {
    private final ModelStore store;

    public ModelImport(ModelStore store) {
        this.store = store;
    }

    /**
     * Validates {@code file} (a readable GGUF of an architecture slm runs), copies it into the store
     * while hashing it, and names it.
     *
     * @return the new manifest
     */
    public Manifest importFile(Path file, String requestedName) {
        String name = ModelName.require(requestedName);
        GgufFile gguf = GgufReader.read(file);
        SupportedArchitectures.require(gguf.architecture(), file.toString());
        Optional<Manifest> existing = existing(name);
        Blob blob = copyIn(file);
        if (existing.isPresent() && !existing.get().sha256().equals(blob.sha256())) {
            store.deleteBlobIfUnused(blob.sha256());
            throw new SlmException("a different model is already called " + name
                    + ": `slm rm " + name + "` first, or choose another --name");
        }
        Manifest manifest = Manifest.of(name, blob.sha256(), blob.size(), file.getFileName().toString(), gguf.architecture(),
                gguf.quantization(), file.toAbsolutePath().normalize().toUri().toString(), Instant.now());
        store.save(manifest);
        return manifest;
    }

    /** A file copied into the store's blobs, named by its hash. */
    public record Blob(String sha256, long size) {
    }

    /**
     * Copies {@code file} into the store's blobs while hashing it (a model, an adapter, a variant's base file);
     * a blob already there is kept. The caller names it in a manifest.
     */
    public Blob copyIn(Path file) {
        Path tmp = null;
        try {
            long size = Files.size(file);
            store.diskSpace().require(store.root(), size, "importing " + file.getFileName());
            store.createDirectories();
            tmp = Files.createTempFile(store.partialDir(), "import-", ".tmp");
            String sha256 = copyHashing(file, tmp);
            try (BlobLock ignored = store.lock(sha256, line -> { })) {
                if (!store.hasBlob(sha256, size)) {
                    AtomicFiles.move(tmp, store.blob(sha256));
                }
            }
            return new Blob(sha256, size);
        } catch (IOException e) {
            throw new SlmException("cannot copy " + file + " into " + store.root() + ": " + e.getMessage());
        } finally {
            deleteQuietly(tmp);
        }
    }

    private Optional<Manifest> existing(String name) {
        try {
            return store.manifest(name);
        } catch (SlmException corrupt) {
            throw new SlmException("a model called " + name + " exists but its manifest is unreadable: `slm rm "
                    + name + "` first, or choose another --name");
        }
    }

    private static String copyHashing(Path from, Path to) throws IOException {
        MessageDigest digest = Sha256.digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(from), digest);
             OutputStream out = Files.newOutputStream(to)) {
            in.transferTo(out);
        }
        return Sha256.hex(digest);
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp != null) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // A leftover import-*.tmp is harmless and named as such.
            }
        }
    }
}
