package dev.slm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The machine a benchmark ran on, as far as its numbers depend on it. The load average tells
 * whether other work shared the CPUs while it ran (Linux only; -1 elsewhere).
 */
public record Machine(String cpu, int logicalCpus, long memoryBytes, String os, String java, double loadAverage) {

    public static Machine current() {
        return new Machine(readCpuModel().orElse(System.getProperty("os.arch")),
                Runtime.getRuntime().availableProcessors(), readMemoryBytes().orElse(-1),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                Runtime.version() + " (" + System.getProperty("java.vendor") + ")", currentLoadAverage());
    }

    private static Optional<String> readCpuModel() {
        return lines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name") || l.startsWith("Model") || l.startsWith("Hardware"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).filter(s -> !s.isEmpty()).findFirst();
    }

    private static OptionalLong readMemoryBytes() {
        return lines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst();
    }

    /** Runnable threads averaged over the last minute. */
    public static double currentLoadAverage() {
        List<String> l = lines(Path.of("/proc/loadavg"));
        return l.isEmpty() ? -1 : Double.parseDouble(l.get(0).split(" ")[0]);
    }

    /** Peak resident memory of this process (VmHWM), or -1 where the OS does not tell. */
    public static long peakRssBytes() {
        return lines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(-1);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
