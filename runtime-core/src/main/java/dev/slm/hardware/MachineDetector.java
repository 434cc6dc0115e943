package dev.slm.hardware;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Puts the machine's facts together from a {@link MachineFactsSource}. */
public final class MachineDetector {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private MachineDetector() {
    }

    public static MachineFacts detect(MachineFactsSource src) {
        String os = Platform.os(src.osName());
        String arch = Platform.arch(src.osArch());
        List<String> notes = new ArrayList<>();
        CpuFacts cpu;
        MemoryFacts memory;
        Optional<AppleChip> apple = Optional.empty();
        Optional<Board> board = Optional.empty();
        switch (os) {
            case Platform.LINUX -> {
                CgroupLimits cgroups = CgroupLimits.read(src);
                cpu = CpuDetector.linux(src, cgroups, notes);
                memory = MemoryDetector.linux(src, cgroups);
                board = board(src);
            }
            case Platform.MAC -> {
                cpu = CpuDetector.mac(src);
                memory = MemoryDetector.mac(src);
                apple = appleChip(src, arch, memory);
            }
            default -> {
                cpu = CpuDetector.jvm(src, notes);
                memory = MemoryDetector.fromJvm(src, "no /proc or sysctl on " + os);
            }
        }
        if (!memory.known()) {
            notes.add("memory unknown (" + memory.source() + "): models are loaded without a fit check");
        }
        return new MachineFacts(os, arch, cpu, memory, nvidia(src, os, board), apple, board,
                os.equals(Platform.LINUX) ? drmGpus(src) : List.of(), notes);
    }

    /**
     * Loading NVIDIA's libraries costs time, so on Linux they are asked only when the kernel driver
     * is there (/proc/driver/nvidia) or the board is a Jetson (whose GPU driver is nvgpu, with libcuda).
     */
    private static NvidiaReport nvidia(MachineFactsSource src, String os, Optional<Board> board) {
        if (os.equals(Platform.MAC)) {
            return NvidiaReport.none("macOS has no NVIDIA driver");
        }
        boolean tegra = board.map(b -> b.compatible().stream().anyMatch(c -> c.startsWith("nvidia,tegra"))).orElse(false);
        if (os.equals(Platform.LINUX) && !tegra && !src.exists("/proc/driver/nvidia/version")) {
            return NvidiaReport.none("no NVIDIA kernel driver: /proc/driver/nvidia/version is absent");
        }
        try {
            return src.nvidia().query();
        } catch (RuntimeException | LinkageError e) {
            return NvidiaReport.none("asking the NVIDIA driver failed: " + e.getMessage());
        }
    }

    /**
     * PCI GPUs of AMD and NVIDIA with a kernel display driver (/sys/class/drm/cardN/device/vendor).
     * Intel's are left out on purpose: nearly all are integrated GPUs, where llama.cpp's Vulkan
     * backend is no clear gain over the CPU, and so is every other display device a server or a VM
     * has (ASPEED BMC, virtio, VMware); `--profile vulkan` still uses them.
     */
    private static List<String> drmGpus(MachineFactsSource src) {
        List<String> gpus = new ArrayList<>();
        for (String card : src.list("/sys/class/drm")) {
            if (!card.matches("card[0-9]+")) {
                continue;
            }
            String vendor = src.read("/sys/class/drm/" + card + "/device/vendor").map(String::strip).orElse("");
            String name = switch (vendor) {
                case "0x1002" -> "AMD";
                case "0x10de" -> "NVIDIA";
                default -> null;
            };
            if (name != null) {
                gpus.add(name + " GPU (" + card + ", " + vendor + ":"
                        + src.read("/sys/class/drm/" + card + "/device/device").map(String::strip).orElse("?") + ")");
            }
        }
        return gpus;
    }

    /** The device tree's model and compatible strings; both are NUL-terminated. */
    private static Optional<Board> board(MachineFactsSource src) {
        Optional<String> model = src.read("/proc/device-tree/model").or(() -> src.read("/sys/firmware/devicetree/base/model"));
        if (model.isEmpty()) {
            return Optional.empty();
        }
        List<String> compatible = src.read("/proc/device-tree/compatible")
                .or(() -> src.read("/sys/firmware/devicetree/base/compatible"))
                .map(c -> Arrays.stream(c.split("\0")).map(String::strip).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
        return Optional.of(new Board(model.get().replace("\0", "").strip(), compatible));
    }

    private static Optional<AppleChip> appleChip(MachineFactsSource src, String arch, MemoryFacts memory) {
        SysctlQuery s = src.sysctl();
        if (!arch.equals("aarch64") && s.number("hw.optional.arm64").orElse(0L) != 1) {
            return Optional.empty();
        }
        long ram = memory.total() > 0 ? memory.total() : 0;
        long wired = s.number("iogpu.wired_limit_mb").orElse(0L) * MIB;
        // Metal's recommendedMaxWorkingSetSize, as llama.cpp logs it on these machines.
        long workingSet = wired > 0 ? wired : ram >= 64 * GIB ? ram / 4 * 3 : ram / 3 * 2;
        return Optional.of(new AppleChip(s.string("machdep.cpu.brand_string").orElse("Apple Silicon"),
                s.number("hw.perflevel0.physicalcpu").map(Long::intValue).orElse(0),
                s.number("hw.perflevel1.physicalcpu").map(Long::intValue).orElse(0), workingSet));
    }
}
