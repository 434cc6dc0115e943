package dev.slm.download;

import dev.slm.SlmException;
import dev.slm.store.ByteSize;
import dev.slm.store.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * The {@code .part} file a download appends to, with the SHA-256 of what it holds kept up to date
 * as bytes arrive: when the last byte is in, the hash is known without reading the file again.
 * Bytes left by an interrupted pull are hashed once when it is opened, then appended to.
 */
final class PartialDownload implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final MessageDigest digest = Sha256.digest();
    private long length;

    private PartialDownload(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Opens (or creates) the partial file; one longer than {@code expectedSize} is started over. */
    static PartialDownload open(Path path, long expectedSize) {
        try {
            Files.createDirectories(path.getParent());
            FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            PartialDownload part = new PartialDownload(path, channel);
            if (channel.size() > expectedSize) {
                part.restart();
            } else {
                part.hashExisting();
            }
            return part;
        } catch (IOException e) {
            throw new SlmException("cannot open " + path + ": " + e.getMessage() + " (is the models directory writable?)");
        }
    }

    private void hashExisting() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        long size = channel.size();
        while (length < size) {
            buffer.clear();
            int n = channel.read(buffer, length);
            if (n <= 0) {
                break;
            }
            buffer.flip();
            digest.update(buffer);
            length += n;
        }
        channel.truncate(length);
    }

    long length() {
        return length;
    }

    Path path() {
        return path;
    }

    void write(ByteBuffer bytes) {
        digest.update(bytes.duplicate());
        try {
            while (bytes.hasRemaining()) {
                length += channel.write(bytes, length);
            }
        } catch (IOException e) {
            throw new SlmException("cannot write " + path + ": " + e.getMessage() + " (" + ByteSize.format(length)
                    + " are kept: free some disk space and pull again, it resumes from there)");
        }
    }

    /** Drops what was received (the server ignored the range, or sent a different file). */
    void restart() {
        try {
            channel.truncate(0);
        } catch (IOException e) {
            throw new SlmException("cannot truncate " + path + ": " + e.getMessage());
        }
        digest.reset();
        length = 0;
    }

    String sha256() {
        try {
            return Sha256.hex((MessageDigest) digest.clone());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 digest can be cloned", e);
        }
    }

    /** Flushes to disk, so the renamed blob survives a power cut. */
    void sync() {
        try {
            channel.force(true);
        } catch (IOException e) {
            throw new SlmException("cannot flush " + path + " to disk: " + e.getMessage());
        }
    }

    /** Closes and deletes the file: nothing half-downloaded is left behind. */
    void delete() {
        close();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new SlmException("cannot delete " + path + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing was buffered in Java; the OS has every byte written so far.
        }
    }
}
