package dev.slm.catalog;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * One model of the catalog, pinned to one exact file (and, for a vision model, its projector's).
 *
 * @param sha256     lower-case hex; empty for an entry a user added without a hash, which
 *                   {@code slm pull} refuses (an unverifiable download is never installed)
 * @param minRamMib  estimated memory to run it with a 4096-token context; 0 when unknown
 * @param projector  the vision projector pulled and verified with the model; empty for a text model
 */
public record CatalogEntry(String name, List<String> aliases, String architecture, String parameters,
                           String quantization, long contextLength, String license, String template,
                           long minRamMib, String file, long size, Optional<String> sha256, List<URI> urls,
                           Optional<Projector> projector) {

    /** A vision projector ("mmproj" GGUF file), pinned like the model: size, sha256, urls. */
    public record Projector(String file, long size, Optional<String> sha256, List<URI> urls) {
        public Projector {
            urls = List.copyOf(urls);
        }
    }

    public CatalogEntry {
        aliases = List.copyOf(aliases);
        urls = List.copyOf(urls);
    }

    /** Whether the model sees images: it comes with a vision projector. */
    public boolean seesImages() {
        return projector.isPresent();
    }

    boolean answersTo(String normalizedName) {
        return name.equals(normalizedName) || aliases.contains(normalizedName);
    }
}
