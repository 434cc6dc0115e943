package dev.slm.store;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Puts a finished file in place in one step, so readers see the old file or the new one, never a part. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Both paths are inside the store, so this only happens on exotic file systems.
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
