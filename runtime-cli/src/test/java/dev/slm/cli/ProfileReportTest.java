package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.hardware.Board;
import dev.slm.hardware.CpuCluster;
import dev.slm.hardware.CpuFacts;
import dev.slm.hardware.MachineFacts;
import dev.slm.hardware.MemoryFacts;
import dev.slm.hardware.NvidiaGpu;
import dev.slm.hardware.NvidiaReport;
import dev.slm.profile.ProfileCatalog;
import dev.slm.profile.ProfileChoice;
import dev.slm.profile.ProfileSelector;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The report's text and JSON for machines this build machine is not: a GPU box, a big.LITTLE board. */
class ProfileReportTest {
    private static final ProfileCatalog CATALOG = ProfileCatalog.of(ProfileCatalog.packaged());

    private static ProfileReport report(MachineFacts facts) {
        ProfileChoice choice = new ProfileSelector(CATALOG, Map.of("SLM_NATIVE_DIR", "/nonexistent/slm-native")::get).select(facts, Optional.empty());
        return new ProfileReport(facts, CATALOG, choice, Optional.empty(), Optional.empty(), Optional.empty());
    }

    @Test
    void anNvidiaBoxShowsItsGpuAndHowToEnableTheCudaProfile() throws Exception {
        MachineFacts box = new MachineFacts("linux", "x86_64",
                new CpuFacts("AMD Ryzen 9 7950X 16-Core Processor", 32, 16, List.of(new CpuCluster("AMD Ryzen 9 7950X", 5_881_000, 16, 32, true)),
                        Set.of("avx", "avx2", "avx512", "fma", "f16c", "bmi2"), true, OptionalDouble.empty()),
                new MemoryFacts(64L << 30, 57L << 30, OptionalLong.empty(), "/proc/meminfo"),
                new NvidiaReport("NVML", Optional.of("550.54.14"), Optional.of("12.4"),
                        List.of(new NvidiaGpu(0, "NVIDIA GeForce RTX 4090", 24564L << 20, 24070L << 20, false, "8.9")), Optional.empty()),
                Optional.empty(), Optional.empty(), List.of(), List.of());
        ProfileReport r = report(box);
        String text = r.text();
        assertTrue(text.contains("  nvidia         NVIDIA GeForce RTX 4090 24.0 GiB (23.5 GiB free) [NVML: driver 550.54.14, CUDA 12.4]"), text);
        assertTrue(text.contains("Profile cpu-x86_64 (detected)"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("  note           using cpu-x86_64: cuda suits this machine")), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("  cuda +library missing +the cuda plug-in is not installed; to enable it, run `slm profile install cuda`.*")), text);
        JsonNode json = new ObjectMapper().readTree(r.json());
        assertEquals("NVIDIA GeForce RTX 4090", json.at("/machine/nvidia/gpus/0/name").asText());
        assertEquals("12.4", json.at("/machine/nvidia/cudaVersion").asText());
        assertTrue(json.at("/profile/fallback").asText().contains("slm profile install cuda"));
        assertEquals("library-missing", json.at("/profiles/1/status").asText());
    }

    @Test
    void aBigLittleBoardShowsItsCoreKindsAndQuota() {
        MachineFacts rock5 = new MachineFacts("linux", "aarch64",
                new CpuFacts("4x Cortex-A76 + 4x Cortex-A55", 8, 8, List.of(new CpuCluster("Cortex-A76", 2_400_000, 4, 4, true),
                        new CpuCluster("Cortex-A55", 1_800_000, 4, 4, false)), Set.of("neon", "dotprod", "fp16"), true, OptionalDouble.of(6)),
                new MemoryFacts(8L << 30, 7L << 30, OptionalLong.of(8L << 30), "/proc/meminfo; cgroup v2 limit 8.0 GiB on /system.slice/slm.service"),
                NvidiaReport.none("no NVIDIA kernel driver: /proc/driver/nvidia/version is absent"), Optional.empty(),
                Optional.of(new Board("Radxa ROCK 5B", List.of("radxa,rock-5b", "rockchip,rk3588"))), List.of(), List.of());
        String text = report(rock5).text();
        assertTrue(text.contains("  core kinds     4x Cortex-A76 @ 2.40 GHz (fast), 4x Cortex-A55 @ 1.80 GHz"), text);
        assertTrue(text.contains("  cpu quota      6.00 CPUs (cgroup)"), text);
        assertTrue(text.contains("  board          Radxa ROCK 5B (radxa,rock-5b, rockchip,rk3588)"), text);
        assertTrue(text.contains("Profile cpu-aarch64 (detected)"), text);
        assertTrue(text.contains("  threads        4 (performance-cores)"), text);
    }
}
