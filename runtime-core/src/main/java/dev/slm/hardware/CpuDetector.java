package dev.slm.hardware;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;

/** Cores, core kinds and instruction-set features: from /proc and /sys on Linux, sysctl on macOS. */
final class CpuDetector {
    /** ARM's "CPU part" numbers of the cores found on boards slm targets; only used to name clusters. */
    private static final Map<String, String> ARM_PARTS = Map.ofEntries(
            Map.entry("0xd03", "Cortex-A53"), Map.entry("0xd04", "Cortex-A35"), Map.entry("0xd05", "Cortex-A55"),
            Map.entry("0xd07", "Cortex-A57"), Map.entry("0xd08", "Cortex-A72"), Map.entry("0xd09", "Cortex-A73"),
            Map.entry("0xd0a", "Cortex-A75"), Map.entry("0xd0b", "Cortex-A76"), Map.entry("0xd0c", "Neoverse-N1"),
            Map.entry("0xd0d", "Cortex-A77"), Map.entry("0xd40", "Neoverse-V1"), Map.entry("0xd41", "Cortex-A78"),
            Map.entry("0xd42", "Cortex-A78AE"), Map.entry("0xd44", "Cortex-X1"), Map.entry("0xd46", "Cortex-A510"),
            Map.entry("0xd47", "Cortex-A710"), Map.entry("0xd48", "Cortex-X2"), Map.entry("0xd49", "Neoverse-N2"),
            Map.entry("0xd4f", "Neoverse-V2"), Map.entry("0xd80", "Cortex-A520"), Map.entry("0xd81", "Cortex-A720"));

    /** /proc/cpuinfo flag (x86) or Features word (ARM) -> the name profiles use. */
    private static final Map<String, String> LINUX_FEATURES = Map.ofEntries(
            Map.entry("avx", "avx"), Map.entry("avx2", "avx2"), Map.entry("avx512f", "avx512"),
            Map.entry("avx512_vnni", "avx512_vnni"), Map.entry("avx_vnni", "avx_vnni"), Map.entry("fma", "fma"),
            Map.entry("f16c", "f16c"), Map.entry("bmi2", "bmi2"), Map.entry("amx_int8", "amx"),
            Map.entry("asimd", "neon"), Map.entry("asimddp", "dotprod"), Map.entry("i8mm", "i8mm"),
            Map.entry("sve", "sve"), Map.entry("sve2", "sve2"), Map.entry("asimdhp", "fp16"), Map.entry("bf16", "bf16"));

    /** Linux arm64 AT_HWCAP bits (uapi asm/hwcap.h) -> feature. */
    private static final Map<Integer, String> ARM_HWCAP = Map.of(1, "neon", 10, "fp16", 20, "dotprod", 22, "sve");
    /** Linux arm64 AT_HWCAP2 bits -> feature. */
    private static final Map<Integer, String> ARM_HWCAP2 = Map.of(1, "sve2", 13, "i8mm", 14, "bf16");
    private static final long AT_HWCAP = 16;
    private static final long AT_HWCAP2 = 26;

    /** sysctl hw.optional.* key -> feature, for Apple Silicon and Intel Macs. */
    private static final Map<String, String> MAC_FEATURES = Map.ofEntries(
            Map.entry("hw.optional.AdvSIMD", "neon"), Map.entry("hw.optional.arm.FEAT_DotProd", "dotprod"),
            Map.entry("hw.optional.arm.FEAT_I8MM", "i8mm"), Map.entry("hw.optional.arm.FEAT_FP16", "fp16"),
            Map.entry("hw.optional.arm.FEAT_BF16", "bf16"), Map.entry("hw.optional.avx1_0", "avx"),
            Map.entry("hw.optional.avx2_0", "avx2"), Map.entry("hw.optional.avx512f", "avx512"),
            Map.entry("hw.optional.fma", "fma"), Map.entry("hw.optional.f16c", "f16c"), Map.entry("hw.optional.bmi2", "bmi2"));

    private CpuDetector() {
    }

    static CpuFacts linux(MachineFactsSource src, CgroupLimits cgroups, List<String> notes) {
        String cpuinfo = src.read("/proc/cpuinfo").orElse("");
        List<Map<String, String>> blocks = blocks(cpuinfo);
        Map<Integer, Map<String, String>> byProcessor = new HashMap<>();
        for (Map<String, String> b : blocks) {
            integer(b.get("processor")).ifPresent(n -> byProcessor.put(n, b));
        }
        List<Integer> online = src.read("/sys/devices/system/cpu/online").map(CpuDetector::cpuList)
                .filter(l -> !l.isEmpty())
                .orElseGet(() -> byProcessor.isEmpty() ? range(src.jvmProcessors()) : new ArrayList<>(new TreeSet<>(byProcessor.keySet())));

        Map<String, Set<String>> coresByKind = new LinkedHashMap<>();
        Map<String, Integer> threadsByKind = new HashMap<>();
        Map<String, Long> freqByKind = new HashMap<>();
        Map<String, String> nameByKind = new HashMap<>();
        Set<String> allCores = new LinkedHashSet<>();
        String model = blocks.stream().map(b -> b.get("model name")).filter(m -> m != null).findFirst().orElse(null);
        for (int cpu : online) {
            String dir = "/sys/devices/system/cpu/cpu" + cpu;
            Map<String, String> info = byProcessor.getOrDefault(cpu, Map.of());
            String core = src.read(dir + "/topology/thread_siblings_list").map(String::strip)
                    .orElseGet(() -> info.containsKey("core id")
                            ? info.getOrDefault("physical id", "0") + ":" + info.get("core id") : "cpu" + cpu);
            long freq = src.read(dir + "/cpufreq/cpuinfo_max_freq").map(String::strip).flatMap(CpuDetector::longValue).orElse(0L);
            String part = info.get("CPU part");
            String name = part != null ? ARM_PARTS.getOrDefault(part.toLowerCase(), "ARM core " + part)
                    : model != null ? model : "CPU";
            String kind = freq + "/" + name;
            coresByKind.computeIfAbsent(kind, k -> new LinkedHashSet<>()).add(core);
            threadsByKind.merge(kind, 1, Integer::sum);
            freqByKind.put(kind, freq);
            nameByKind.put(kind, name);
            allCores.add(core);
        }
        long slowest = freqByKind.values().stream().mapToLong(Long::longValue).min().orElse(0);
        boolean several = coresByKind.size() > 1;
        List<CpuCluster> clusters = coresByKind.keySet().stream()
                .map(k -> new CpuCluster(nameByKind.get(k), freqByKind.get(k), coresByKind.get(k).size(), threadsByKind.get(k),
                        !several || freqByKind.get(k) > slowest || slowest == 0))
                .sorted(Comparator.comparingLong(CpuCluster::maxFreqKHz).reversed())
                .toList();
        if (model == null) {
            model = clusters.isEmpty() ? "unknown" : String.join(" + ",
                    clusters.stream().map(c -> c.cores() + "x " + c.name()).toList());
        }
        Optional<String> flags = blocks.stream().map(b -> b.containsKey("flags") ? b.get("flags") : b.get("Features"))
                .filter(f -> f != null).findFirst();
        Set<String> features = new TreeSet<>();
        flags.ifPresent(f -> {
            for (String word : f.split("\\s+")) {
                String name = LINUX_FEATURES.get(word);
                if (name != null) {
                    features.add(name);
                }
            }
        });
        // On ARM the kernel's word for this process (AT_HWCAP) wins over /proc/cpuinfo's text: under
        // qemu-user /proc/cpuinfo is the host's (x86 flags), and HWCAP is what the process may execute.
        Optional<Set<String>> hwcap = "aarch64".equals(Platform.arch(src.osArch())) ? armHwcap(src) : Optional.empty();
        if (hwcap.isPresent()) {
            features.clear();
            features.addAll(hwcap.get());
        } else if (flags.isEmpty()) {
            notes.add("CPU features unknown: /proc/cpuinfo has no flags");
        }
        int physical = allCores.isEmpty() ? online.size() : allCores.size();
        return new CpuFacts(model, online.size(), physical, clusters, features, flags.isPresent() || hwcap.isPresent(),
                cgroups.cpuQuota());
    }

    /** The arm64 features in /proc/self/auxv's AT_HWCAP and AT_HWCAP2 (64-bit type/value pairs). */
    static Optional<Set<String>> armHwcap(MachineFactsSource src) {
        Optional<byte[]> auxv = src.bytes("/proc/self/auxv");
        if (auxv.isEmpty() || auxv.get().length < 16) {
            return Optional.empty();
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(auxv.get()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        Long hwcap = null;
        long hwcap2 = 0;
        while (b.remaining() >= 16) {
            long type = b.getLong();
            long value = b.getLong();
            if (type == AT_HWCAP) {
                hwcap = value;
            } else if (type == AT_HWCAP2) {
                hwcap2 = value;
            } else if (type == 0) {
                break;
            }
        }
        if (hwcap == null) {
            return Optional.empty();
        }
        Set<String> features = new TreeSet<>();
        long h = hwcap;
        long h2 = hwcap2;
        ARM_HWCAP.forEach((bit, name) -> {
            if ((h & (1L << bit)) != 0) {
                features.add(name);
            }
        });
        ARM_HWCAP2.forEach((bit, name) -> {
            if ((h2 & (1L << bit)) != 0) {
                features.add(name);
            }
        });
        return Optional.of(features);
    }

    static CpuFacts mac(MachineFactsSource src) {
        SysctlQuery s = src.sysctl();
        int logical = s.number("hw.logicalcpu").map(Long::intValue).orElse(src.jvmProcessors());
        int physical = s.number("hw.physicalcpu").map(Long::intValue).orElse(logical);
        int levels = s.number("hw.nperflevels").map(Long::intValue).orElse(1);
        List<CpuCluster> clusters = new ArrayList<>();
        String model = s.string("machdep.cpu.brand_string").orElse("unknown");
        for (int i = 0; i < levels; i++) {
            String prefix = "hw.perflevel" + i + ".";
            int cores = s.number(prefix + "physicalcpu").map(Long::intValue).orElse(levels == 1 ? physical : 0);
            if (cores > 0) {
                clusters.add(new CpuCluster(s.string(prefix + "name").orElse(levels == 1 ? model : "level " + i), 0, cores,
                        s.number(prefix + "logicalcpu").map(Long::intValue).orElse(cores), i < levels - 1 || levels == 1));
            }
        }
        Set<String> features = new TreeSet<>();
        MAC_FEATURES.forEach((key, name) -> {
            if (s.number(key).orElse(0L) == 1) {
                features.add(name);
            }
        });
        if (s.number("hw.optional.neon").orElse(0L) == 1) {
            features.add("neon");
        }
        return new CpuFacts(model, logical, physical, clusters, features, !features.isEmpty(), OptionalDouble.empty());
    }

    /** Only the JVM's count: physical cores and features unknown (Windows, unknown systems). */
    static CpuFacts jvm(MachineFactsSource src, List<String> notes) {
        notes.add("physical cores and CPU features unknown on this system: using the JVM's processor count");
        int n = src.jvmProcessors();
        return new CpuFacts("unknown", n, n, List.of(new CpuCluster("CPU", 0, n, n, true)), Set.of(), false, OptionalDouble.empty());
    }

    /** /proc/cpuinfo as one key/value map per blank-line separated block. */
    private static List<Map<String, String>> blocks(String cpuinfo) {
        List<Map<String, String>> blocks = new ArrayList<>();
        Map<String, String> current = new LinkedHashMap<>();
        for (String line : cpuinfo.lines().toList()) {
            int colon = line.indexOf(':');
            if (line.isBlank()) {
                if (!current.isEmpty()) {
                    blocks.add(current);
                    current = new LinkedHashMap<>();
                }
            } else if (colon > 0) {
                current.putIfAbsent(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        if (!current.isEmpty()) {
            blocks.add(current);
        }
        return blocks;
    }

    /** "0-3,6,8-9" -> [0,1,2,3,6,8,9]. */
    static List<Integer> cpuList(String text) {
        List<Integer> cpus = new ArrayList<>();
        for (String part : text.strip().split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] range = part.strip().split("-");
            Optional<Integer> lo = integer(range[0]);
            Optional<Integer> hi = range.length > 1 ? integer(range[1]) : lo;
            if (lo.isEmpty() || hi.isEmpty()) {
                return List.of();
            }
            for (int i = lo.get(); i <= hi.get(); i++) {
                cpus.add(i);
            }
        }
        return cpus;
    }

    private static List<Integer> range(int n) {
        List<Integer> cpus = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            cpus.add(i);
        }
        return cpus;
    }

    private static Optional<Integer> integer(String s) {
        return s != null && s.strip().matches("\\d{1,6}") ? Optional.of(Integer.parseInt(s.strip())) : Optional.empty();
    }

    private static Optional<Long> longValue(String s) {
        return s.matches("\\d{1,18}") ? Optional.of(Long.parseLong(s)) : Optional.empty();
    }
}
