package dev.slm.catalog;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * One model of the catalog, pinned to one exact file.
 *
 * @param sha256     lower-case hex; empty for an entry a user added without a hash, which
 *                   {@code slm pull} refuses (an unverifiable download is never installed)
 * @param minRamMib  estimated memory to run it with a 4096-token context; 0 when unknown
 */
public record CatalogEntry(String name, List<String> aliases, String architecture, String parameters,
                           String quantization, long contextLength, String license, String template,
                           long minRamMib, String file, long size, Optional<String> sha256, List<URI> urls) {

    public CatalogEntry {
        aliases = List.copyOf(aliases);
        urls = List.copyOf(urls);
    }

    boolean answersTo(String normalizedName) {
        return name.equals(normalizedName) || aliases.contains(normalizedName);
    }
}
