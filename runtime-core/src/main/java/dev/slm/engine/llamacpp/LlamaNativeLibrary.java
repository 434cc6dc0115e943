package dev.slm.engine.llamacpp;

import dev.slm.ResourceProperties;
import dev.slm.SlmException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the native library behind java-llama.cpp's Java API where only this user and this library
 * version use it, before the binding loads it.
 *
 * <p>Which library: slm's own build of the pinned llama.cpp ({@link NativeBuild}, packaged by
 * native-profiles under {@code dev/slm/native/OS-ARCH/}: libjllama beside libllama, ggml and ggml's
 * CPU variants), else a directory the hardware profile names (a CUDA build...), else, on platforms
 * without an own build, the b4916 library inside the binding's jar.
 *
 * <p>Left alone, the binding extracts its library to {@code /tmp/libjllama.so} under a fixed name,
 * deletes {@code /tmp/jllama*} and {@code /tmp/llama*} on first load, and prints "Extracted ..." to
 * stdout. Two processes (two users, two versions) then overwrite each other's library. Instead slm
 * extracts it once per user and version into a directory named after the library's hash, each file
 * with an atomic rename, and points {@code de.kherud.llama.lib.path} at it: the binding then loads
 * that file and extracts nothing. A file in use is never rewritten, so concurrent processes are safe.
 */
public final class LlamaNativeLibrary {
    private static final Logger log = LoggerFactory.getLogger(LlamaNativeLibrary.class);
    private static Path loadedFrom;
    private static boolean ownLoaded;
    private static boolean pluginsWithoutDevice;

    private LlamaNativeLibrary() {
    }

    /** The binding's version, read from its jar. */
    public static String bindingVersion() {
        return ResourceProperties.value("/META-INF/maven/de.kherud/llama/pom.properties", "version", "unknown");
    }

    /**
     * Prepares and loads the native library once per process.
     *
     * @param customDirectory a directory holding a libjllama built by the user, or a folder holding
     *                        GPU plug-ins of ggml ({@code libggml-cuda.so}...) to load beside slm's own
     *                        build, or empty for slm's own build (else the library in the binding's jar)
     * @return the directory the library was loaded from.
     */
    public static synchronized Path load(Optional<Path> customDirectory) {
        if (loadedFrom != null) {
            return loadedFrom;
        }
        NativeBuild build = NativeBuild.current();
        Optional<Path> plugins = customDirectory.filter(d -> !Files.isRegularFile(d.resolve(System.mapLibraryName("jllama"))));
        if (plugins.isPresent() && !build.isOwn()) {
            throw new SlmException("GPU plug-ins in " + plugins.get() + " need slm's own native library, and this slm runs "
                    + build.describe());
        }
        boolean own = (customDirectory.isEmpty() || plugins.isPresent()) && build.isOwn();
        Path dir = plugins.isPresent() ? withPlugins(build, plugins.get())
                : customDirectory.isPresent() ? checkCustom(customDirectory.get())
                : own ? extractOwn(build, "", Optional.empty()) : extractBundled();
        System.setProperty("de.kherud.llama.lib.path", dir.toString());
        // The loader still cleans its temp directory on first load; give it this private one.
        System.setProperty("de.kherud.llama.tmpdir", dir.toString());
        if (own) {
            OpenMpPolicy.notUsed();
        } else {
            // The binding's library (and a user's build of java-llama.cpp) run their threads on libgomp.
            OpenMpPolicy.apply();
        }
        initializeQuietly();
        loadedFrom = dir;
        ownLoaded = own;
        log.debug("native library loaded from {}", dir);
        plugins.ifPresent(LlamaNativeLibrary::checkRegistered);
        return dir;
    }

    /**
     * ggml drops a plug-in that fails to load or finds no device without a word, and llama.cpp then
     * ignores the GPU layers: say so in one line. (slm checks the plug-in's libraries before choosing
     * its profile, so this is what those checks cannot see: a driver too old for the runtime, a
     * library of the right name but the wrong version, a GPU the plug-in has no kernels for.)
     */
    private static void checkRegistered(Path pluginDir) {
        List<String> backends = SlmNative.devices().lines().map(l -> l.split("\t")).filter(f -> f.length >= 3)
                .map(f -> f[2].toLowerCase(java.util.Locale.ROOT)).toList();
        for (Path p : pluginFiles(pluginDir)) {
            String name = backendName(p);
            if (!backends.contains(name)) {
                log.warn("the {} plug-in ({}) registered no device with ggml: the model runs on the CPU", name, p);
                pluginsWithoutDevice = true;
            }
        }
    }

    /**
     * Whether GPU plug-ins were loaded and none registered a device: GPU layers are then not asked
     * for (llama.cpp would print three lines of warnings about a build without GPU support after
     * the one line that says what happened).
     */
    public static synchronized boolean pluginsWithoutDevice() {
        return pluginsWithoutDevice;
    }

    /** The backend a plug-in file registers with ggml: NAME of libggml-NAME.so. */
    private static String backendName(Path plugin) {
        return plugin.getFileName().toString().replaceAll("^libggml-|\\.so$", "");
    }

    /** The GPU plug-ins in a folder: libggml-NAME.so, ggml's own base and CPU libraries aside. */
    private static List<Path> pluginFiles(Path pluginDir) {
        try (Stream<Path> files = Files.list(pluginDir)) {
            return files.filter(f -> f.getFileName().toString().matches("libggml-[a-z0-9]+\\.so") && Files.isRegularFile(f))
                    .filter(f -> !f.getFileName().toString().startsWith("libggml-base") && !f.getFileName().toString().startsWith("libggml-cpu"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new SlmException("cannot read the GPU plug-in folder " + pluginDir + ": " + e.getMessage());
        }
    }

    /** Whether slm's own build is the library loaded in this process (so {@link SlmNative} works). */
    public static synchronized boolean ownBuildLoaded() {
        return ownLoaded;
    }

    /** The llama.cpp release loaded in this process, as the library itself reports it. */
    public static synchronized String loadedRelease() {
        if (loadedFrom == null) {
            return "not loaded";
        }
        return ownLoaded ? SlmNative.llamaCppRelease() : "b4916 (java-llama.cpp " + bindingVersion() + ")";
    }

    /** The devices llama.cpp's backends found (slm's own build only), one per line. */
    public static synchronized String devices() {
        return ownLoaded ? SlmNative.devices() : "";
    }

    /**
     * slm's own build, extracted file by file into a directory named after its index. A start whose
     * files are all there (same names and sizes) reads nothing from the jar.
     */
    private static Path extractOwn(NativeBuild build, String suffix, Optional<Path> linkFrom) {
        Path dir = nativeRoot().resolve("slm-llama-" + build.release() + "-" + build.platform() + "-" + build.indexId() + suffix);
        try {
            Files.createDirectories(dir);
            restrictToOwner(dir);
            for (NativeBuild.BuildFile f : build.files()) {
                Path target = dir.resolve(f.name());
                if (Files.isRegularFile(target) && Files.size(target) == f.size()) {
                    continue;
                }
                if (linkFrom.isPresent() && hardLink(dir, target, linkFrom.get().resolve(f.name()), f.size())) {
                    continue;
                }
                String resource = NativeBuild.RESOURCE_ROOT + build.platform() + "/" + f.name();
                URL url = LlamaNativeLibrary.class.getResource(resource);
                if (url == null) {
                    throw new SlmException("slm's native library is incomplete: " + resource + " is missing (reinstall slm)");
                }
                byte[] data = read(url);
                if (data.length != f.size() || !NativeBuild.sha256(data).equals(f.sha256())) {
                    throw new SlmException("slm's native library file " + f.name() + " is damaged (reinstall slm)");
                }
                writeAtomically(dir, target, data);
            }
            return dir;
        } catch (IOException e) {
            throw new SlmException("cannot extract the native library to " + dir + ": " + e.getMessage()
                    + " (set SLM_NATIVE_DIR to a writable directory)");
        }
    }

    /**
     * slm's own build with GPU plug-ins beside it, in a folder of its own: ggml loads every
     * {@code libggml-*.so} it finds beside libjllama, so a CPU run and a CUDA run cannot share one
     * folder (nor can two plug-ins that drive the same GPU). The plug-ins are symbolic links to their
     * installed files (159 MB for CUDA, not copied); the dynamic linker takes $ORIGIN from the link's
     * folder, where {@code libggml-base.so} (the name the plug-ins ask for) links to slm's
     * {@code libggml-base.so.0}: the same file, so the linker loads ggml's base library once.
     */
    private static Path withPlugins(NativeBuild build, Path pluginDir) {
        List<Path> plugins = pluginFiles(pluginDir);
        if (plugins.isEmpty()) {
            throw new SlmException("no " + System.mapLibraryName("jllama") + " and no GPU plug-in (libggml-*.so) in " + pluginDir);
        }
        String names = String.join("-", plugins.stream().map(LlamaNativeLibrary::backendName).toList());
        String where = NativeBuild.sha256(pluginDir.toAbsolutePath().normalize().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        // The CPU folder first: the plug-in folder's copies of slm's files are hard links to it.
        Path cpu = extractOwn(build, "", Optional.empty());
        Path dir = extractOwn(build, "-" + names + "-" + where.substring(0, 8), Optional.of(cpu));
        String base = build.files().stream().map(NativeBuild.BuildFile::name).filter(n -> n.startsWith("libggml-base.so."))
                .findFirst().orElseThrow(() -> new SlmException("slm's native library has no libggml-base.so.N (reinstall slm)"));
        try {
            link(dir.resolve("libggml-base.so"), Path.of(base));
            for (Path p : plugins) {
                link(dir.resolve(p.getFileName().toString()), p.toAbsolutePath().normalize());
            }
            // Libraries a user put beside the plug-in (a CUDA runtime, as Ollama ships one): the
            // plug-in's RUNPATH is $ORIGIN, which is this folder, where its link lies.
            for (Path lib : runtimeBeside(pluginDir)) {
                link(dir.resolve(lib.getFileName().toString()), lib.toAbsolutePath().normalize());
            }
        } catch (IOException e) {
            throw new SlmException("cannot link the GPU plug-ins into " + dir + ": " + e.getMessage()
                    + " (set SLM_NATIVE_DIR to a writable directory)");
        }
        return dir;
    }

    /** lib*.so* files beside the plug-ins that are neither ggml's nor libjllama. */
    private static List<Path> runtimeBeside(Path pluginDir) throws IOException {
        try (Stream<Path> files = Files.list(pluginDir)) {
            return files.filter(f -> f.getFileName().toString().matches("lib.+\\.so(\\.[0-9.]+)?") && Files.isRegularFile(f))
                    .filter(f -> !f.getFileName().toString().startsWith("libggml") && !f.getFileName().toString().startsWith("libjllama"))
                    .sorted().toList();
        }
    }

    /** A hard link to the same file of the CPU folder (no second copy of 29 MB); false where links are not possible. */
    private static boolean hardLink(Path dir, Path target, Path existing, long size) {
        try {
            if (!Files.isRegularFile(existing) || Files.size(existing) != size) {
                return false;
            }
            Path tmp = dir.resolve("part-" + ProcessHandle.current().pid() + "-" + target.getFileName());
            Files.deleteIfExists(tmp);
            Files.createLink(tmp, existing);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A symbolic link put in place by one rename, so a concurrent start sees the old link or the new one. */
    private static void link(Path link, Path target) throws IOException {
        if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(target)) {
            return;
        }
        Path tmp = link.resolveSibling("part-" + ProcessHandle.current().pid() + "-" + link.getFileName());
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, target);
        Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path checkCustom(Path dir) {
        Path lib = dir.resolve(System.mapLibraryName("jllama"));
        if (!Files.isRegularFile(lib)) {
            throw new SlmException("no " + lib.getFileName() + " in " + dir
                    + ": point the native library path at a directory holding a libjllama build");
        }
        return dir;
    }

    /**
     * Whether the binding's jar carries a library for this OS and architecture, named as
     * {@code dev.slm.hardware.Platform} names them (linux, mac, windows; x86_64, aarch64).
     */
    public static boolean bundles(String os, String arch) {
        String osFolder = switch (os) {
            case "linux" -> "Linux";
            case "mac" -> "Mac";
            case "windows" -> "Windows";
            default -> null;
        };
        return osFolder != null && LlamaNativeLibrary.class.getResource(
                "/de/kherud/llama/" + osFolder + "/" + arch + "/" + libraryFileName(os)) != null;
    }

    /** The file a libjllama build is called on this OS: libjllama.so, libjllama.dylib or jllama.dll. */
    public static String libraryFileName(String os) {
        return switch (os) {
            case "mac" -> "libjllama.dylib";
            case "windows" -> "jllama.dll";
            default -> "libjllama.so";
        };
    }

    /** The binding prints to stdout while it loads (on macOS); stdout belongs to the model's text. */
    private static void initializeQuietly() {
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            Class.forName("de.kherud.llama.LlamaModel", true, LlamaNativeLibrary.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new SlmException("the llama.cpp binding is missing from the class path: reinstall slm");
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError e) {
            throw new SlmException("cannot load llama.cpp's native library: " + e.getMessage()
                    + " (this platform may be unsupported; see `slm profile`)", e);
        } finally {
            System.setOut(stdout);
        }
    }

    /**
     * The bundled library, extracted once into a directory named after its content. The name comes
     * from the jar's own directory (the entry's CRC-32 and size), so a start whose library is already
     * extracted reads nothing: inflating and hashing the 5.6 MB library took 0.5 to 0.9 s of every
     * start on a loaded 2-vCPU machine (docs/performance.md). Only a library outside a jar (an IDE's
     * class folder) is read and hashed to name it.
     */
    private static Path extractBundled() {
        String resource = "/de/kherud/llama/" + platformFolder() + "/" + System.mapLibraryName("jllama");
        URL url = LlamaNativeLibrary.class.getResource(resource);
        if (url == null) {
            throw new SlmException("java-llama.cpp ships no native library for " + platformFolder()
                    + ": build libjllama for this machine and set its directory as the native library path");
        }
        byte[] library = null;
        String id;
        long size;
        try {
            JarEntry entry = url.openConnection() instanceof JarURLConnection jar ? jar.getJarEntry() : null;
            if (entry != null && entry.getCrc() >= 0 && entry.getSize() >= 0) {
                size = entry.getSize();
                id = String.format("%08x%08x", entry.getCrc(), size);
            } else {
                library = read(url);
                size = library.length;
                id = NativeBuild.sha256(library).substring(0, 16);
            }
        } catch (IOException e) {
            throw new SlmException("cannot read the bundled native library: " + e.getMessage());
        }
        Path dir = nativeRoot().resolve("llama-" + bindingVersion() + "-" + platformFolder().replace('/', '-') + "-" + id);
        Path target = dir.resolve(System.mapLibraryName("jllama"));
        try {
            if (Files.isRegularFile(target) && Files.size(target) == size) {
                return dir;
            }
            if (library == null) {
                library = read(url);
            }
            Files.createDirectories(dir);
            restrictToOwner(dir);
            writeAtomically(dir, target, library);
            return dir;
        } catch (IOException e) {
            throw new SlmException("cannot extract the native library to " + dir + ": " + e.getMessage()
                    + " (set SLM_NATIVE_DIR to a writable directory)");
        }
    }

    /** A file in use is never rewritten in place: a process loading it sees the old one or the new one. */
    private static void writeAtomically(Path dir, Path target, byte[] data) throws IOException {
        Path tmp = Files.createTempFile(dir, "part-", ".tmp");
        Files.write(tmp, data);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static byte[] read(URL url) throws IOException {
        try (InputStream in = url.openStream()) {
            return in.readAllBytes();
        }
    }

    /** Per-user: $SLM_NATIVE_DIR, else $XDG_CACHE_HOME/slm/native, else ~/.cache/slm/native. */
    static Path nativeRoot() {
        return nativeRoot(System::getenv);
    }

    static Path nativeRoot(java.util.function.Function<String, String> env) {
        String explicit = env.apply("SLM_NATIVE_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.apply("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("slm").resolve("native");
    }

    private static void restrictToOwner(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException | IOException e) {
            log.debug("cannot restrict {} to its owner: {}", dir, e.getMessage());
        }
    }

    /** The binding's resource folder for this OS and CPU, as its OSInfo names them. */
    static String platformFolder() {
        String osFolder = switch (NativeBuild.osOf(System.getProperty("os.name"))) {
            case "mac" -> "Mac";
            case "windows" -> "Windows";
            default -> "Linux";
        };
        return osFolder + "/" + NativeBuild.archOf(System.getProperty("os.arch"));
    }
}
