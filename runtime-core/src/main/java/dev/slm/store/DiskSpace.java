package dev.slm.store;

import dev.slm.SlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How much a directory's file system has free; an interface so tests can play a full disk. */
@FunctionalInterface
public interface DiskSpace {
    /** Room kept free beyond what a download needs, so a pull never fills a disk to the last byte. */
    long HEADROOM = 16L << 20;

    DiskSpace SYSTEM = dir -> Files.getFileStore(dir).getUsableSpace();

    long usableBytes(Path dir) throws IOException;

    /**
     * Fails with a one-line message when {@code dir} cannot take {@code bytes} more (plus the headroom).
     * A directory not created yet is measured at its nearest existing parent.
     */
    default void require(Path dir, long bytes, String what) {
        Path existing = dir.toAbsolutePath();
        while (existing.getParent() != null && !Files.isDirectory(existing)) {
            existing = existing.getParent();
        }
        long free;
        try {
            free = usableBytes(existing);
        } catch (IOException e) {
            throw new SlmException("cannot tell how much space " + dir + " has free: " + e.getMessage());
        }
        if (free < bytes + HEADROOM) {
            throw new SlmException("not enough disk space for " + what + ": it needs " + ByteSize.format(bytes)
                    + " more (+" + ByteSize.format(HEADROOM) + " headroom) but " + dir + " has " + ByteSize.format(free)
                    + " free; free some space or point --models-dir (or SLM_HOME) at a larger disk");
        }
    }
}
