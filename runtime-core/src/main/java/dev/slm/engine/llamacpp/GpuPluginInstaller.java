package dev.slm.engine.llamacpp;

import dev.slm.SlmException;
import dev.slm.download.DownloadSettings;
import dev.slm.download.DownloadSpec;
import dev.slm.download.Downloader;
import dev.slm.download.ProgressReporter;
import dev.slm.store.AtomicFiles;
import dev.slm.store.BlobLock;
import dev.slm.store.DiskSpace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Puts a GPU plug-in where slm looks for it ({@link #folder}): from the registry, or from the
 * package's tarball given by path (a machine without network). The tarball must be the one
 * gpu-plugins.lock pins (size, SHA-256 and the registry's sha512 integrity); only the plug-in file
 * is taken out of it, written to a temporary file beside its place and renamed there, so a failure
 * at any point leaves the previous state (nothing, or the previous plug-in) and no part of a file.
 * Never called while loading a model: installing is something the user asks for.
 */
public final class GpuPluginInstaller {
    /** A mirror of the npm registry (Verdaccio, Artifactory, Nexus...) to fetch from; the pinned hashes still apply. */
    public static final String REGISTRY_ENV = "SLM_NPM_REGISTRY";
    static final String NPM_REGISTRY = "https://registry.npmjs.org/";

    private GpuPluginInstaller() {
    }

    /** The tarball's URL, on the mirror {@value #REGISTRY_ENV} names if any (same path after the registry's root). */
    static URI tarballUrl(GpuPlugin plugin, java.util.function.Function<String, String> env) {
        String mirror = env.apply(REGISTRY_ENV);
        if (mirror == null || mirror.isBlank() || !plugin.url().startsWith(NPM_REGISTRY)) {
            return URI.create(plugin.url());
        }
        String root = mirror.strip().endsWith("/") ? mirror.strip() : mirror.strip() + "/";
        try {
            return new URI(root).resolve(plugin.url().substring(NPM_REGISTRY.length()));
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            throw new SlmException(REGISTRY_ENV + "=" + mirror + " is not a URL");
        }
    }

    /** Where an installed plug-in lies: one folder per plug-in and llama.cpp release, under slm's native root. */
    public static Path folder(GpuPlugin plugin) {
        return folder(plugin, System::getenv);
    }

    static Path folder(GpuPlugin plugin, java.util.function.Function<String, String> env) {
        return LlamaNativeLibrary.nativeRoot(env).resolve("plugins").resolve(plugin.release() + "-" + plugin.platform() + "-" + plugin.name());
    }

    /** What an installed plug-in came from ("package@version integrity"), beside it; written last. */
    private static final String MARKER = "package.txt";

    /** Whether the plug-in is installed from the package the lock pins now (a newer pin installs again). */
    public static boolean current(GpuPlugin plugin) {
        Path dir = folder(plugin);
        try {
            return Files.isRegularFile(dir.resolve(plugin.fileName()))
                    && Files.readString(dir.resolve(MARKER)).strip().equals(marker(plugin));
        } catch (IOException e) {
            return false;
        }
    }

    private static String marker(GpuPlugin plugin) {
        return plugin.packageLabel() + " " + plugin.integrity();
    }

    /** The installed plug-in file, if there is one. */
    public static Optional<Path> installed(GpuPlugin plugin, java.util.function.Function<String, String> env) {
        Path file = folder(plugin, env).resolve(plugin.fileName());
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /**
     * @param tarball the package's tarball on this machine; empty = download it from {@link GpuPlugin#url()}
     * @return the installed plug-in file
     */
    public static Path install(GpuPlugin plugin, Optional<Path> tarball, ProgressReporter progress) {
        NativeBuild build = NativeBuild.current();
        if (!build.isOwn() || !build.platform().equals(plugin.platform())) {
            throw new SlmException("the " + plugin.name() + " plug-in is for slm's own " + plugin.platform()
                    + " build, and this slm runs " + build.describe());
        }
        if (!build.release().equals(plugin.release())) {
            throw new SlmException("the " + plugin.name() + " plug-in was built from llama.cpp " + plugin.release()
                    + " but slm's library is " + build.release() + ": update gpu-plugins.lock with llama.cpp.lock");
        }
        Path dir = folder(plugin);
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve(MARKER)); // until the new plug-in is in place
        } catch (IOException e) {
            throw new SlmException("cannot create " + dir + ": " + e.getMessage() + " (set SLM_NATIVE_DIR to a writable directory)");
        }
        try (BlobLock lock = BlobLock.acquire(dir.resolve(".install.lock"), progress::note)) {
            if (tarball.isPresent()) {
                verify(plugin, tarball.get());
                return extract(plugin, tarball.get(), dir);
            }
            Path download = dir.resolve(plugin.sha256() + ".tgz");
            try (Downloader downloader = new Downloader(DownloadSettings.fromEnvironment(System.getenv()), DiskSpace.SYSTEM)) {
                DownloadSpec spec = new DownloadSpec(plugin.packageLabel(), java.util.List.of(tarballUrl(plugin, System::getenv)),
                        plugin.size(), plugin.sha256());
                downloader.fetch(spec, dir.resolve(plugin.sha256() + ".partial"), download, progress, f -> verify(plugin, f));
            }
            try {
                return extract(plugin, download, dir);
            } finally {
                deleteQuietly(download);
            }
        }
    }

    /** Size, SHA-256 and the registry's integrity, or a one-line refusal. */
    static void verify(GpuPlugin plugin, Path tarball) {
        try {
            long size = Files.size(tarball);
            if (size != plugin.size()) {
                throw new SlmException(tarball + " is not " + plugin.packageLabel() + ": " + size + " bytes, the lock pins "
                        + plugin.size() + " (a partial or other download); nothing was installed");
            }
            MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(new DigestInputStream(Files.newInputStream(tarball), sha512), sha256)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            String integrity = "sha512-" + Base64.getEncoder().encodeToString(sha512.digest());
            String hex = HexFormat.of().formatHex(sha256.digest());
            if (!integrity.equals(plugin.integrity()) || !hex.equals(plugin.sha256())) {
                throw new SlmException(tarball + " is not " + plugin.packageLabel() + ": its integrity is " + integrity
                        + ", the lock pins " + plugin.integrity() + "; nothing was installed");
            }
        } catch (IOException e) {
            throw new SlmException("cannot read " + tarball + ": " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Takes the plug-in file out of the (verified) tarball: temporary file, then one rename. */
    private static Path extract(GpuPlugin plugin, Path tarball, Path dir) {
        Path target = dir.resolve(plugin.fileName());
        Path tmp = null;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tarball), 1 << 16)) {
            Optional<Long> size = Tar.seek(in, plugin.file());
            if (size.isEmpty()) {
                throw new SlmException(tarball + " holds no " + plugin.file() + "; nothing was installed");
            }
            tmp = Files.createTempFile(dir, "part-", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                long copied = Tar.copy(in, out, size.get());
                if (copied != size.get()) {
                    throw new SlmException(tarball + " ends inside " + plugin.file() + " (damaged); nothing was installed");
                }
            }
            try (var ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            AtomicFiles.move(tmp, target);
            tmp = null;
            Path mark = Files.createTempFile(dir, "part-", ".tmp");
            Files.writeString(mark, marker(plugin) + "\n");
            AtomicFiles.move(mark, dir.resolve(MARKER));
            return target;
        } catch (IOException e) {
            throw new SlmException("cannot take " + plugin.fileName() + " out of " + tarball + ": " + e.getMessage()
                    + "; nothing was installed");
        } finally {
            if (tmp != null) {
                deleteQuietly(tmp);
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover temporary file is removed by the next install of the same plug-in
        }
    }

    /** Just enough of a (ustar/pax) tar reader to find one regular file by its path. */
    static final class Tar {
        private Tar() {
        }

        /** Reads headers until {@code path}; the stream is then at its content. Empty when the archive ends first. */
        static Optional<Long> seek(InputStream in, String path) throws IOException {
            byte[] header = new byte[512];
            String paxPath = null;
            while (in.readNBytes(header, 0, 512) == 512) {
                if (header[0] == 0) {
                    return Optional.empty(); // the two zero blocks at the end
                }
                long size = octal(header, 124, 12);
                char type = (char) header[156];
                String name = text(header, 0, 100);
                String prefix = text(header, 345, 155);
                String full = paxPath != null ? paxPath : prefix.isEmpty() ? name : prefix + "/" + name;
                paxPath = null;
                if (type == 'x') {
                    paxPath = paxValue(new String(in.readNBytes((int) size), StandardCharsets.UTF_8), "path");
                    skip(in, pad(size));
                    continue;
                }
                if ((type == '0' || type == 0) && full.equals(path)) {
                    return Optional.of(size);
                }
                skip(in, size + pad(size));
            }
            throw new IOException("the archive ends inside a header (damaged)");
        }

        static long copy(InputStream in, OutputStream out, long size) throws IOException {
            byte[] buffer = new byte[1 << 16];
            long done = 0;
            while (done < size) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - done));
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
                done += n;
            }
            return done;
        }

        private static long pad(long size) {
            return (512 - size % 512) % 512;
        }

        private static void skip(InputStream in, long n) throws IOException {
            long left = n;
            while (left > 0) {
                long s = in.skip(left);
                if (s <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("the archive ends early (damaged)");
                    }
                    s = 1;
                }
                left -= s;
            }
        }

        private static long octal(byte[] b, int at, int length) throws IOException {
            String s = text(b, at, length).strip();
            try {
                return s.isEmpty() ? 0 : Long.parseLong(s, 8);
            } catch (NumberFormatException e) {
                throw new IOException("a tar header is damaged");
            }
        }

        private static String text(byte[] b, int at, int length) {
            int end = at;
            while (end < at + length && b[end] != 0) {
                end++;
            }
            return new String(b, at, end - at, StandardCharsets.UTF_8);
        }

        /** A pax extended header: records "LEN key=value\n". */
        private static String paxValue(String records, String key) {
            for (String line : records.split("\n")) {
                int space = line.indexOf(' ');
                if (space > 0 && line.startsWith(key + "=", space + 1)) {
                    return line.substring(space + 2 + key.length());
                }
            }
            return null;
        }
    }
}
