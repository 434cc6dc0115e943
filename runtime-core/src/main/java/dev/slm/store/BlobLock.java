package dev.slm.store;

import dev.slm.SlmException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock on one blob of the store: whoever downloads, imports or deletes a blob holds it, so two
 * pulls of one model, in threads or in processes, never write the same file.
 *
 * <p>Across processes it is an OS file lock ({@code fcntl} on Unix), which the kernel drops when its
 * holder dies, however it dies: a lock can never outlive its process. The lock file records the
 * holder (pid, host, time) and is emptied on release; a holder found recorded when the lock is
 * taken therefore died holding it, and that is reported as a recovered stale lock. Within one JVM
 * the OS lock cannot tell threads apart, so a semaphore per lock file orders them first.
 */
public final class BlobLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BlobLock.class);
    private static final Map<Path, Semaphore> IN_PROCESS = new ConcurrentHashMap<>();
    private static volatile String hostName;

    private final Semaphore local;
    private final FileChannel channel;
    private final FileLock lock;
    private final Optional<String> recoveredFrom;

    private BlobLock(Semaphore local, FileChannel channel, FileLock lock, Optional<String> recoveredFrom) {
        this.local = local;
        this.channel = channel;
        this.lock = lock;
        this.recoveredFrom = recoveredFrom;
    }

    /**
     * Takes the lock, waiting as long as another holder keeps it.
     *
     * @param onWait told once, in a line for the user, who holds the lock when it has to wait
     */
    public static BlobLock acquire(Path lockFile, Consumer<String> onWait) {
        Path key = lockFile.toAbsolutePath().normalize();
        Semaphore local = IN_PROCESS.computeIfAbsent(key, k -> new Semaphore(1));
        try {
            if (!local.tryAcquire()) {
                onWait.accept("waiting for another download of the same file in this process to finish");
                local.acquire();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SlmException("interrupted while waiting for the lock " + lockFile);
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(key.getParent());
            channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                onWait.accept("waiting for " + describe(readHolder(channel)) + ", which is downloading the same file");
                lock = channel.lock();
            }
            Optional<String> stale = readHolder(channel).filter(h -> !h.isBlank());
            stale.ifPresent(h -> log.info("recovered the lock {} left by {}", key, describe(h)));
            writeHolder(channel);
            return new BlobLock(local, channel, lock, stale.map(BlobLock::describe));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            local.release();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new SlmException("cannot lock " + key + ": " + e.getMessage()
                    + " (check that the models directory is writable and on a local disk)");
        }
    }

    /** The holder that died with this lock, when taking it recovered a stale one. */
    public Optional<String> recoveredFrom() {
        return recoveredFrom;
    }

    @Override
    public void close() {
        try {
            channel.truncate(0);
            lock.release();
        } catch (IOException e) {
            log.debug("releasing a blob lock: {}", e.getMessage());
        } finally {
            closeQuietly(channel);
            local.release();
        }
    }

    private static Optional<String> readHolder(FileChannel channel) throws IOException {
        long size = Math.min(channel.size(), 4096);
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        channel.read(buffer, 0);
        return Optional.of(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip());
    }

    private static void writeHolder(FileChannel channel) throws IOException {
        String holder = "pid=" + ProcessHandle.current().pid() + " host=" + hostName() + " since=" + Instant.now() + "\n";
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(holder.getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
    }

    /** "process 1234 (alive, since ...)" from a holder line, for messages. */
    static String describe(Optional<String> holder) {
        return holder.filter(h -> !h.isBlank()).map(BlobLock::describe).orElse("another process");
    }

    private static String describe(String holder) {
        String pid = field(holder, "pid");
        String host = field(holder, "host");
        String since = field(holder, "since");
        String state = "";
        if (!pid.isEmpty() && host.equals(hostName())) {
            boolean alive = ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
            state = alive ? "" : ", no longer running";
        }
        return "process " + (pid.isEmpty() ? "?" : pid) + (host.equals(hostName()) ? "" : " on " + host)
                + " (since " + since + state + ")";
    }

    private static String field(String holder, String key) {
        for (String part : holder.split("\\s+")) {
            if (part.startsWith(key + "=")) {
                String v = part.substring(key.length() + 1);
                return key.equals("pid") && !v.matches("\\d{1,18}") ? "" : v;
            }
        }
        return "";
    }

    /** Looked up once: on a host with broken name resolution the lookup can take seconds. */
    private static String hostName() {
        if (hostName == null) {
            try {
                hostName = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                hostName = "localhost";
            }
        }
        return hostName;
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                log.debug("closing a lock file: {}", e.getMessage());
            }
        }
    }
}
