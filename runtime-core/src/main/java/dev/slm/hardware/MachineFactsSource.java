package dev.slm.hardware;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where detection reads the machine from: a root under which {@code /proc} and {@code /sys} lie,
 * the answers of NVIDIA's libraries and of macOS's sysctl, and what the JVM itself knows (the only
 * source on Windows). {@link #live()} is this machine; tests build one from files recorded on other
 * machines, so every detection branch runs anywhere.
 *
 * @param osName          as {@code os.name} says it
 * @param osArch          as {@code os.arch} says it
 * @param root            the directory standing for {@code /}
 * @param nvidia          NVML or CUDA driver answers
 * @param sysctl          sysctl answers (macOS)
 * @param jvmProcessors   {@link Runtime#availableProcessors()}
 * @param jvmTotalMemory  physical memory as the JVM sees it, -1 when unknown
 * @param jvmFreeMemory   free physical memory as the JVM sees it, -1 when unknown
 */
public record MachineFactsSource(String osName, String osArch, Path root, NvidiaQuery nvidia, SysctlQuery sysctl,
                                 int jvmProcessors, long jvmTotalMemory, long jvmFreeMemory) {

    /** This machine. */
    public static MachineFactsSource live() {
        String os = System.getProperty("os.name");
        // The management bean costs start-up time and only matters where /proc and sysctl do not exist.
        boolean proc = Platform.os(os).equals(Platform.LINUX) || Platform.os(os).equals(Platform.MAC);
        long[] memory = proc ? new long[] {-1, -1} : jvmMemory();
        return new MachineFactsSource(os, System.getProperty("os.arch"), Path.of("/"), NvidiaLibraries.live(),
                Platform.os(os).equals(Platform.MAC) ? MacSysctl.live() : SysctlQuery.NONE,
                Runtime.getRuntime().availableProcessors(), memory[0], memory[1]);
    }

    /** The file's text, or empty when it does not exist or cannot be read. */
    public Optional<String> read(String absolutePath) {
        try {
            return Optional.of(new String(Files.readAllBytes(resolve(absolutePath)), StandardCharsets.UTF_8));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The file's bytes (binary files such as /proc/self/auxv), or empty when it cannot be read. */
    public Optional<byte[]> bytes(String absolutePath) {
        try {
            return Optional.of(Files.readAllBytes(resolve(absolutePath)));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    public boolean exists(String absolutePath) {
        return Files.exists(resolve(absolutePath));
    }

    /** Names in a directory, sorted; empty when it does not exist. */
    public List<String> list(String absolutePath) {
        try (Stream<Path> s = Files.list(resolve(absolutePath))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    private Path resolve(String absolutePath) {
        return root.resolve(absolutePath.startsWith("/") ? absolutePath.substring(1) : absolutePath);
    }

    /**
     * The com.sun.management bean lives in the jdk.management module, which a trimmed runtime image
     * may leave out: then memory is unknown on systems without /proc or sysctl.
     */
    private static long[] jvmMemory() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return new long[] {os.getTotalMemorySize(), os.getFreeMemorySize()};
            }
        } catch (LinkageError e) {
            // fall through: unknown
        }
        return new long[] {-1, -1};
    }
}
