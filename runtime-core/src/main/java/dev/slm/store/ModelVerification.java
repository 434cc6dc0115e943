package dev.slm.store;

import dev.slm.SlmException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.time.Instant;

/**
 * {@code slm verify}: hashes a stored model's file again and compares it with the hash it is stored
 * under. A file that no longer matches is deleted, since a content-addressed store must never serve
 * a blob under a hash it does not have; its manifest stays, so {@code slm list} says to pull again.
 */
public final class ModelVerification {
    private final ModelStore store;

    public ModelVerification(ModelStore store) {
        this.store = store;
    }

    /** @param detail for a failure, what is wrong and what to do */
    public record Result(String name, boolean ok, String detail) {
    }

    public Result verify(String name) {
        Manifest manifest;
        try {
            manifest = store.manifest(name).orElseThrow(() -> new SlmException("no model named " + name
                    + " in " + store.root() + " (`slm list` shows what is there)"));
        } catch (SlmException e) {
            return new Result(name, false, e.getMessage());
        }
        Optional<Result> failed = check(manifest, manifest.sha256(), "its file");
        if (failed.isEmpty() && manifest.visionProjector().isPresent()) {
            failed = check(manifest, manifest.visionProjector().get().sha256(), "its vision projector");
        }
        for (Variant.Adapter a : manifest.variantOf().map(Variant::adapters).orElse(java.util.List.of())) {
            if (failed.isEmpty()) {
                failed = check(manifest, a.sha256(), "its LoRA adapter " + a.file());
            }
        }
        if (failed.isPresent()) {
            return failed.get();
        }
        store.save(manifest.verified(Instant.now()));
        return new Result(manifest.name(), true, "sha256 " + manifest.sha256() + " matches"
                + manifest.visionProjector().map(p -> ", and its vision projector's " + p.sha256()).orElse("")
                + manifest.variantOf().filter(v -> !v.adapters().isEmpty())
                        .map(v -> ", and its " + v.adapters().size() + " LoRA adapter(s)").orElse(""));
    }

    /** Hashes one blob of the model; a damaged one is deleted. */
    private Optional<Result> check(Manifest manifest, String sha256, String what) {
        try (BlobLock ignored = store.lock(sha256, line -> { })) {
            if (!Files.isRegularFile(store.blob(sha256))) {
                return Optional.of(new Result(manifest.name(), false, what + " is missing: run `slm pull "
                        + manifest.name() + "` (or import it) again"));
            }
            String actual = Sha256.of(store.blob(sha256));
            if (!actual.equals(sha256)) {
                deleteBlob(sha256);
                return Optional.of(new Result(manifest.name(), false, what + " is damaged (sha256 " + actual
                        + ", expected " + sha256 + "): removed " + store.blob(sha256) + "; " + howToRestore(manifest)));
            }
            return Optional.empty();
        }
    }

    /**
     * A pulled model is pulled again; an imported one is imported again from its original, which slm
     * copied and never touches, so it is still there unless the user moved it.
     */
    private static String howToRestore(Manifest manifest) {
        Optional<Path> original = importedFrom(manifest);
        if (original.isPresent()) {
            return Files.isRegularFile(original.get())
                    ? "its original " + original.get() + " is untouched: `slm import " + original.get() + " --name "
                            + manifest.name() + "` restores it"
                    : "it was imported from " + original.get() + ", which is gone: import the file again";
        }
        return "run `slm pull " + manifest.name() + "` to download it again";
    }

    private static Optional<Path> importedFrom(Manifest manifest) {
        try {
            URI source = URI.create(manifest.source());
            return "file".equals(source.getScheme()) ? Optional.of(Path.of(source)) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private void deleteBlob(String sha256) {
        try {
            Files.deleteIfExists(store.blob(sha256));
        } catch (java.io.IOException e) {
            throw new SlmException("cannot delete the damaged " + store.blob(sha256) + ": " + e.getMessage());
        }
    }
}
