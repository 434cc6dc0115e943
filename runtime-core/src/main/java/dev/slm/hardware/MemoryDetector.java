package dev.slm.hardware;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Total and available memory, cut down to the process's cgroup limit. */
final class MemoryDetector {
    private static final long KIB = 1024;
    private static final long GIB = 1L << 30;

    private MemoryDetector() {
    }

    static MemoryFacts linux(MachineFactsSource src, CgroupLimits cgroups) {
        Optional<String> meminfo = src.read("/proc/meminfo");
        OptionalLong total = meminfo.map(m -> field(m, "MemTotal")).orElse(OptionalLong.empty());
        if (total.isEmpty()) {
            return fromJvm(src, "/proc/meminfo unreadable");
        }
        OptionalLong available = field(meminfo.get(), "MemAvailable");
        if (available.isEmpty()) {
            // Kernels before 3.14 have no MemAvailable: free memory plus the page cache is close.
            available = OptionalLong.of(field(meminfo.get(), "MemFree").orElse(0) + field(meminfo.get(), "Buffers").orElse(0)
                    + field(meminfo.get(), "Cached").orElse(0));
        }
        long t = total.getAsLong();
        long a = available.getAsLong();
        List<String> source = new ArrayList<>(List.of("/proc/meminfo"));
        if (cgroups.memoryLimit().isPresent()) {
            long limit = cgroups.memoryLimit().getAsLong();
            t = Math.min(t, limit);
            a = Math.min(a, Math.max(0, limit - cgroups.memoryInUse().orElse(0)));
            source.add("cgroup " + cgroups.version() + " limit " + MemorySize.gib(limit) + " on " + cgroups.where());
        }
        return new MemoryFacts(t, Math.min(a, t), cgroups.memoryLimit(), String.join("; ", source));
    }

    /**
     * macOS: hw.memsize, and as available the free, speculative, purgeable and file-backed pages,
     * which the kernel hands out without swapping (an estimate: vm_stat's own figures are not sysctls).
     */
    static MemoryFacts mac(MachineFactsSource src) {
        SysctlQuery s = src.sysctl();
        Optional<Long> total = s.number("hw.memsize");
        if (total.isEmpty()) {
            return fromJvm(src, "sysctl hw.memsize unreadable");
        }
        long page = s.number("hw.pagesize").orElse(16384L);
        Optional<Long> free = s.number("vm.page_free_count");
        if (free.isEmpty()) {
            return new MemoryFacts(total.get(), src.jvmFreeMemory() >= 0 ? src.jvmFreeMemory() : total.get() / 2,
                    OptionalLong.empty(), "sysctl hw.memsize; available: JVM");
        }
        long pages = free.get() + s.number("vm.page_speculative_count").orElse(0L)
                + s.number("vm.page_purgeable_count").orElse(0L) + s.number("vm.page_pageable_external_count").orElse(0L);
        return new MemoryFacts(total.get(), Math.min(total.get(), pages * page), OptionalLong.empty(),
                "sysctl hw.memsize, vm.page_*_count");
    }

    static MemoryFacts fromJvm(MachineFactsSource src, String why) {
        if (src.jvmTotalMemory() < 0) {
            return MemoryFacts.unknown(why + "; the JVM cannot tell either");
        }
        return new MemoryFacts(src.jvmTotalMemory(), src.jvmFreeMemory(), OptionalLong.empty(), "JVM (" + why + ")");
    }

    /** A "Key:   1234 kB" line of /proc/meminfo, in bytes. */
    private static OptionalLong field(String meminfo, String key) {
        return meminfo.lines().filter(l -> l.startsWith(key + ":")).findFirst()
                .map(l -> l.substring(key.length() + 1).replace("kB", "").strip())
                .filter(v -> v.matches("\\d+"))
                .map(v -> OptionalLong.of(Long.parseLong(v) * KIB)).orElse(OptionalLong.empty());
    }
}
