package dev.slm.store;

import java.util.Optional;

/**
 * A name in the store as {@code slm list} shows it: its manifest, or why it cannot be used.
 *
 * @param problem empty when the model is ready to run
 */
public record StoredModel(String name, Optional<Manifest> manifest, Optional<String> problem) {

    public boolean usable() {
        return manifest.isPresent() && problem.isEmpty();
    }
}
