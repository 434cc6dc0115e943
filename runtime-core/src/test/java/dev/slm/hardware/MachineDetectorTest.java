package dev.slm.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Detection replayed on machines recorded under src/test/resources/machines. */
class MachineDetectorTest {
    private static final long KIB = 1024;
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @Test
    void theDevelopmentVmIsTwoXeonCoresWithAvx512AndNoMemoryLimit() {
        MachineFacts m = RecordedMachine.facts("x86-vm");
        assertEquals("linux", m.os());
        assertEquals("x86_64", m.arch());
        assertEquals("Intel(R) Xeon(R) Processor", m.cpu().model());
        assertEquals(2, m.cpu().logical());
        assertEquals(2, m.cpu().physical());
        assertFalse(m.cpu().bigLittle());
        assertTrue(m.cpu().features().containsAll(List.of("avx", "avx2", "avx512", "fma", "f16c", "bmi2", "avx_vnni", "amx")),
                m.cpu().features().toString());
        assertEquals(24684084 * KIB, m.memory().total());
        assertEquals(24086420 * KIB, m.memory().available());
        assertEquals(OptionalLong.empty(), m.memory().cgroupLimit(), "v1 writes 'no limit' as 9223372036854771712");
        assertTrue(m.cpu().cpuQuota().isEmpty(), "cfs_quota_us -1 is no quota");
        assertTrue(m.nvidia().gpus().isEmpty());
        assertTrue(m.nvidia().problem().orElseThrow().contains("/proc/driver/nvidia/version"));
        assertTrue(m.board().isEmpty());
        assertTrue(m.apple().isEmpty());
        assertEquals(List.of(), m.notes());
    }

    @Test
    void anAmdGpuIsFoundThroughItsDrmCardAndABmcDisplayIsNot() {
        assertEquals(List.of("AMD GPU (card1, 0x1002:0x744c)"), RecordedMachine.facts("amd-gpu").gpus());
        assertEquals(List.of(), RecordedMachine.facts("x86-vm").gpus());
    }

    @Test
    void aRaspberryPi5IsFourCortexA76WithDotProductFromTheDeviceTree() {
        MachineFacts m = RecordedMachine.facts("pi5");
        assertEquals("aarch64", m.arch());
        assertEquals("Raspberry Pi 5 Model B Rev 1.0", m.board().orElseThrow().model(), "the NUL terminator is dropped");
        assertEquals(List.of("raspberrypi,5-model-b", "brcm,bcm2712"), m.board().orElseThrow().compatible());
        assertEquals("4x Cortex-A76", m.cpu().model());
        assertEquals(4, m.cpu().physical());
        assertEquals(List.of(new CpuCluster("Cortex-A76", 2_400_000, 4, 4, true)), m.cpu().clusters());
        assertTrue(m.cpu().features().containsAll(List.of("neon", "dotprod", "fp16")), m.cpu().features().toString());
        assertFalse(m.cpu().features().contains("i8mm"));
        assertEquals(8245328 * KIB, m.memory().total());
        assertEquals(7733012 * KIB, m.memory().available(), "a session scope with memory.max 'max' limits nothing");
        assertTrue(m.memory().cgroupLimit().isEmpty());
    }

    @Test
    void aRaspberryPi4HasNoDotProduct() {
        MachineFacts m = RecordedMachine.facts("pi4");
        assertEquals("4x Cortex-A72", m.cpu().model());
        assertTrue(m.cpu().features().contains("neon"));
        assertFalse(m.cpu().features().contains("dotprod"));
        assertEquals("Raspberry Pi 4 Model B Rev 1.4", m.board().orElseThrow().model());
    }

    @Test
    void underQemuUserTheArmFeaturesComeFromTheProcessHwcapNotTheHostsCpuinfo() {
        // qemu-aarch64 on an x86-64 host: /proc/cpuinfo is the host's x86 text, /proc/self/auxv the
        // emulated CPU's (dot product, SVE, i8mm...).
        MachineFacts m = RecordedMachine.facts("qemu-aarch64");
        assertEquals("aarch64", m.arch());
        assertTrue(m.cpu().featuresKnown());
        assertTrue(m.cpu().features().containsAll(List.of("neon", "dotprod", "fp16", "sve", "sve2", "i8mm")),
                m.cpu().features().toString());
        assertFalse(m.cpu().features().contains("avx2"), "the host's x86 flags are not this process's");
    }

    @Test
    void aFolderThatIsNoRecordingIsRefusedInOneLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MachineRecording.source(dir));
        assertEquals(dir + " is no recorded machine: it has no machine.properties (see capture.sh)", e.getMessage());
    }

    @Test
    void anArmMachineWithoutAuxvFallsBackToCpuinfoFeatures() {
        assertTrue(CpuDetector.armHwcap(RecordedMachine.source("rk3588-service")).isEmpty(), "this recording has no auxv");
        assertTrue(RecordedMachine.facts("rk3588-service").cpu().features().contains("dotprod"));
    }

    @Test
    void anNvidiaBoxReportsItsGpuThroughNvmlAndItsHyperThreadsAsSiblings() {
        MachineFacts m = RecordedMachine.facts("nvidia-rtx4090");
        assertEquals("AMD Ryzen 9 7950X 16-Core Processor", m.cpu().model());
        assertEquals(32, m.cpu().logical());
        assertEquals(16, m.cpu().physical(), "cpu0 and cpu16 share a core");
        assertTrue(m.cpu().features().contains("avx512"));
        NvidiaReport nvidia = m.nvidia();
        assertEquals("NVML", nvidia.source());
        assertEquals("550.54.14", nvidia.driverVersion().orElseThrow());
        assertEquals("12.4", nvidia.cudaVersion().orElseThrow());
        NvidiaGpu gpu = nvidia.discrete().get(0);
        assertEquals("NVIDIA GeForce RTX 4090", gpu.name());
        assertEquals(24564 * MIB, gpu.memoryTotal());
        assertEquals(25238896640L, gpu.memoryFreeOrTotal());
        assertEquals("8.9", gpu.computeCapability());
    }

    @Test
    void aJetsonIsFoundByItsDeviceTreeAndItsIntegratedGpuThroughTheCudaDriver() {
        MachineFacts m = RecordedMachine.facts("jetson-orin-nano");
        assertEquals("NVIDIA Jetson Orin Nano Developer Kit", m.board().orElseThrow().model());
        assertTrue(m.board().orElseThrow().compatible().contains("nvidia,tegra234"));
        assertEquals("6x Cortex-A78AE", m.cpu().model());
        assertEquals("CUDA driver", m.nvidia().source(), "no /proc/driver/nvidia on Tegra, yet the GPU is asked for");
        NvidiaGpu gpu = m.nvidia().gpus().get(0);
        assertTrue(gpu.integrated());
        assertEquals(-1, gpu.memoryFree(), "the CUDA driver cannot tell free memory without a context");
        assertTrue(m.nvidia().discrete().isEmpty());
        assertEquals("12.2", m.nvidia().cudaVersion().orElseThrow());
    }

    @Test
    void anAppleM2IsReadFromSysctl() {
        MachineFacts m = RecordedMachine.facts("apple-m2");
        assertEquals("mac", m.os());
        assertEquals("aarch64", m.arch());
        assertEquals("Apple M2", m.cpu().model());
        assertEquals(8, m.cpu().physical());
        assertTrue(m.cpu().bigLittle());
        assertEquals(List.of(new CpuCluster("Performance", 0, 4, 4, true), new CpuCluster("Efficiency", 0, 4, 4, false)),
                m.cpu().clusters());
        assertEquals(4, m.cpu().performanceCores());
        assertTrue(m.cpu().features().containsAll(List.of("neon", "dotprod", "i8mm", "fp16", "bf16")));
        assertEquals(16 * GIB, m.memory().total());
        assertEquals((120412L + 30125 + 5210 + 251833) * 16384, m.memory().available());
        AppleChip chip = m.apple().orElseThrow();
        assertEquals("Apple M2", chip.name());
        assertEquals(4, chip.performanceCores());
        assertEquals(4, chip.efficiencyCores());
        assertEquals(16 * GIB / 3 * 2, chip.gpuWorkingSet(), "Metal's default: 2/3 of RAM below 64 GiB");
        assertTrue(m.nvidia().gpus().isEmpty());
    }

    @Test
    void aCgroupV2ContainerIsHeldToItsMemoryMaxAndCpuMax() {
        MachineFacts m = RecordedMachine.facts("container-cgroup2");
        assertEquals(2 * GIB, m.memory().total(), "the host's 64 GB do not count");
        assertEquals(2 * GIB - (200 * MIB - 100 * MIB), m.memory().available(), "inactive page cache can be reclaimed");
        assertEquals(OptionalLong.of(2 * GIB), m.memory().cgroupLimit());
        assertTrue(m.memory().source().contains("cgroup v2"), m.memory().source());
        assertEquals(1.5, m.cpu().cpuQuota().orElseThrow());
        assertEquals(8, m.cpu().physical());
        assertEquals(2, m.cpu().withinQuota(m.cpu().physical()), "1.5 CPUs of quota: 2 threads");
    }

    @Test
    void aCgroupV1ContainerWhoseGroupIsMountedAtTheRootIsHeldToItsLimit() {
        MachineFacts m = RecordedMachine.facts("container-cgroup1");
        assertEquals(1536 * MIB, m.memory().total());
        assertEquals(1536 * MIB - (300 * MIB - 50 * MIB), m.memory().available());
        assertTrue(m.memory().source().contains("cgroup v1"), m.memory().source());
        assertEquals(2.0, m.cpu().cpuQuota().orElseThrow());
        assertEquals(4, m.cpu().physical());
        assertFalse(m.cpu().features().contains("avx512"));
        assertTrue(m.cpu().features().contains("avx2"));
    }

    @Test
    void aBigLittleBoardRunAsASystemdServiceHasTwoKindsOfCoreAndItsMemoryMax() {
        MachineFacts m = RecordedMachine.facts("rk3588-service");
        assertEquals("Radxa ROCK 5B", m.board().orElseThrow().model());
        assertTrue(m.cpu().bigLittle());
        assertEquals(List.of(new CpuCluster("Cortex-A76", 2_400_000, 2, 2, true),
                new CpuCluster("Cortex-A76", 2_352_000, 2, 2, true),
                new CpuCluster("Cortex-A55", 1_800_000, 4, 4, false)), m.cpu().clusters());
        assertEquals(4, m.cpu().performanceCores(), "both A76 pairs, whatever their binning");
        assertEquals(8, m.cpu().physical());
        assertEquals(8 * GIB, m.memory().total(), "MemoryMax=8G of the unit, not the board's 16 GB");
        assertEquals(8 * GIB - 50 * MIB, m.memory().available());
        assertTrue(m.memory().source().contains("/system.slice/slm.service"), m.memory().source());
    }

    @Test
    void windowsHasOnlyTheJvmsAnswersAndNvml() {
        MachineFacts m = RecordedMachine.facts("windows-rtx4060");
        assertEquals("windows", m.os());
        assertEquals("x86_64", m.arch());
        assertEquals(16, m.cpu().logical());
        assertFalse(m.cpu().featuresKnown());
        assertEquals(34156351488L, m.memory().total());
        assertEquals(19327352832L, m.memory().available());
        assertEquals("NVIDIA GeForce RTX 4060 Laptop GPU", m.nvidia().discrete().get(0).name());
        assertFalse(m.notes().isEmpty(), "what could not be known is said");
    }

    @Test
    void cpuListsAreRanges() {
        assertEquals(List.of(0, 1, 2, 3, 6, 8, 9), CpuDetector.cpuList("0-3,6,8-9\n"));
        assertEquals(List.of(0), CpuDetector.cpuList("0"));
        assertEquals(List.of(), CpuDetector.cpuList("garbage"));
    }

    @Test
    void theNativeQueriesAnswerNothingRatherThanFailWhereTheirLibrariesAreMissing() {
        // Real JNA calls on this machine, which has neither an NVIDIA driver nor sysctlbyname.
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && !Files.exists(Path.of("/proc/driver/nvidia/version")));
        NvidiaReport nvidia = NvidiaLibraries.live().query();
        assertTrue(nvidia.gpus().isEmpty());
        assertEquals("neither NVML (libnvidia-ml) nor the CUDA driver (libcuda) could be loaded", nvidia.problem().orElseThrow());
        SysctlQuery sysctl = MacSysctl.live();
        assertEquals(java.util.Optional.empty(), sysctl.number("hw.memsize"));
    }

    @Test
    void thisMachineIsDetectedWithoutErrors() {
        MachineFacts m = MachineFacts.detect();
        assertEquals(Platform.os(System.getProperty("os.name")), m.os());
        assertEquals(Platform.arch(System.getProperty("os.arch")), m.arch());
        assertTrue(m.cpu().logical() >= 1 && m.cpu().physical() >= 1 && m.cpu().physical() <= m.cpu().logical(), m.cpu().toString());
        assertTrue(m.memory().known(), m.memory().toString());
        assertTrue(m.memory().available() > 0 && m.memory().available() <= m.memory().total(), m.memory().toString());
    }
}
