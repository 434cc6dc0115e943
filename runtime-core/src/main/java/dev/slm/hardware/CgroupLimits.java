package dev.slm.hardware;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The memory and CPU limits the process's cgroups set: what a container's {@code --memory} or a
 * systemd unit's {@code MemoryMax=} means for slm. Reads cgroup v2 (unified, {@code memory.max},
 * {@code memory.high}, {@code cpu.max}) or v1 ({@code memory.limit_in_bytes},
 * {@code cpu.cfs_quota_us}); every ancestor of the process's group counts, since a slice's limit
 * binds all units under it. A group path that is not mounted (a container sees the host's path in
 * /proc/self/cgroup but its own group at the mount's root) falls back to the nearest ancestor that is.
 *
 * @param version       "v2", "v1" or "none"
 * @param memoryLimit   the tightest memory limit
 * @param memoryInUse   what the group uses now, page cache that can be dropped excluded
 * @param cpuQuota      CPUs' worth of time the group may use
 * @param where         the group, for {@code slm profile}
 */
record CgroupLimits(String version, OptionalLong memoryLimit, OptionalLong memoryInUse, OptionalDouble cpuQuota,
                    String where) {
    /** v1 writes "no limit" as a page-rounded Long.MAX_VALUE; anything this large is no limit. */
    private static final long UNLIMITED = 1L << 60;
    private static final String V2_ROOT = "/sys/fs/cgroup";

    static CgroupLimits read(MachineFactsSource src) {
        Optional<String> self = src.read("/proc/self/cgroup");
        if (self.isEmpty()) {
            return new CgroupLimits("none", OptionalLong.empty(), OptionalLong.empty(), OptionalDouble.empty(), "");
        }
        if (src.exists(V2_ROOT + "/cgroup.controllers")) {
            return self.get().lines().filter(l -> l.startsWith("0::")).findFirst()
                    .map(l -> v2(src, l.substring(3)))
                    .orElseGet(() -> new CgroupLimits("none", OptionalLong.empty(), OptionalLong.empty(), OptionalDouble.empty(), ""));
        }
        return v1(src, self.get());
    }

    private static CgroupLimits v2(MachineFactsSource src, String path) {
        List<String> dirs = ancestors(src, V2_ROOT, path);
        OptionalLong limit = OptionalLong.empty();
        OptionalDouble quota = OptionalDouble.empty();
        for (String dir : dirs) {
            limit = min(limit, number(src, dir + "/memory.max"));
            limit = min(limit, number(src, dir + "/memory.high"));
            quota = minQuota(quota, src.read(dir + "/cpu.max").flatMap(CgroupLimits::cpuMax));
        }
        OptionalLong inUse = dirs.isEmpty() ? OptionalLong.empty()
                : inUse(src, dirs.get(0) + "/memory.current", dirs.get(0) + "/memory.stat", "inactive_file");
        return new CgroupLimits("v2", limit, inUse, quota, path);
    }

    private static CgroupLimits v1(MachineFactsSource src, String self) {
        String memoryPath = null;
        String cpuPath = null;
        String cpuMount = null;
        for (String line : self.lines().toList()) {
            String[] parts = line.split(":", 3);
            if (parts.length < 3) {
                continue;
            }
            List<String> controllers = List.of(parts[1].split(","));
            if (controllers.contains("memory")) {
                memoryPath = parts[2];
            }
            if (controllers.contains("cpu")) {
                cpuPath = parts[2];
                cpuMount = parts[1];
            }
        }
        OptionalLong limit = OptionalLong.empty();
        OptionalLong inUse = OptionalLong.empty();
        if (memoryPath != null) {
            List<String> dirs = ancestors(src, "/sys/fs/cgroup/memory", memoryPath);
            for (String dir : dirs) {
                limit = min(limit, number(src, dir + "/memory.limit_in_bytes"));
            }
            if (!dirs.isEmpty()) {
                inUse = inUse(src, dirs.get(0) + "/memory.usage_in_bytes", dirs.get(0) + "/memory.stat", "total_inactive_file");
            }
        }
        OptionalDouble quota = OptionalDouble.empty();
        if (cpuPath != null) {
            String mount = src.exists("/sys/fs/cgroup/" + cpuMount) ? "/sys/fs/cgroup/" + cpuMount : "/sys/fs/cgroup/cpu";
            for (String dir : ancestors(src, mount, cpuPath)) {
                OptionalLong q = number(src, dir + "/cpu.cfs_quota_us");
                OptionalLong period = number(src, dir + "/cpu.cfs_period_us");
                if (q.isPresent() && period.isPresent() && period.getAsLong() > 0) {
                    quota = minQuota(quota, Optional.of((double) q.getAsLong() / period.getAsLong()));
                }
            }
        }
        String where = memoryPath != null ? memoryPath : cpuPath != null ? cpuPath : "";
        return new CgroupLimits(memoryPath == null && cpuPath == null ? "none" : "v1", limit, inUse, quota, where);
    }

    /** The group's directory and its ancestors up to the mount, deepest first; only those that exist. */
    private static List<String> ancestors(MachineFactsSource src, String mount, String path) {
        List<String> dirs = new ArrayList<>();
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        while (true) {
            String dir = p.equals("/") || p.isEmpty() ? mount : mount + p;
            if (src.exists(dir)) {
                dirs.add(dir);
            }
            if (p.equals("/") || p.isEmpty()) {
                return dirs;
            }
            int slash = p.lastIndexOf('/');
            p = slash <= 0 ? "/" : p.substring(0, slash);
        }
    }

    /** Usage minus the inactive page cache the kernel drops before it fails an allocation. */
    private static OptionalLong inUse(MachineFactsSource src, String usageFile, String statFile, String inactiveKey) {
        OptionalLong usage = number(src, usageFile);
        if (usage.isEmpty()) {
            return usage;
        }
        long inactive = src.read(statFile).flatMap(stat -> stat.lines()
                .filter(l -> l.startsWith(inactiveKey + " "))
                .map(l -> Long.parseLong(l.substring(inactiveKey.length() + 1).strip()))
                .findFirst()).orElse(0L);
        return OptionalLong.of(Math.max(0, usage.getAsLong() - inactive));
    }

    /** A limit file's value; "max", -1 and huge values are no limit. */
    private static OptionalLong number(MachineFactsSource src, String file) {
        return src.read(file).map(String::strip).filter(s -> s.matches("\\d+"))
                .map(Long::parseLong).filter(v -> v < UNLIMITED)
                .map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    /** cpu.max is "QUOTA PERIOD" or "max PERIOD". */
    private static Optional<Double> cpuMax(String text) {
        String[] parts = text.strip().split("\\s+");
        if (parts.length != 2 || !parts[0].matches("\\d+") || !parts[1].matches("\\d+") || Long.parseLong(parts[1]) == 0) {
            return Optional.empty();
        }
        return Optional.of(Double.parseDouble(parts[0]) / Double.parseDouble(parts[1]));
    }

    private static OptionalLong min(OptionalLong a, OptionalLong b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : OptionalLong.of(Math.min(a.getAsLong(), b.getAsLong()));
    }

    private static OptionalDouble minQuota(OptionalDouble a, Optional<Double> b) {
        if (b.isEmpty() || b.get() <= 0) {
            return a;
        }
        return OptionalDouble.of(a.isEmpty() ? b.get() : Math.min(a.getAsDouble(), b.get()));
    }
}
