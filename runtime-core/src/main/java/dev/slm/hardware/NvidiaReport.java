package dev.slm.hardware;

import java.util.List;
import java.util.Optional;

/**
 * What NVIDIA's libraries said.
 *
 * @param source         "NVML", "CUDA driver", or "none"
 * @param driverVersion  e.g. "550.54.14"
 * @param cudaVersion    the CUDA version the driver supports, e.g. "12.4"
 * @param problem        why no GPU could be listed (no driver, library missing, call failed)
 */
public record NvidiaReport(String source, Optional<String> driverVersion, Optional<String> cudaVersion,
                           List<NvidiaGpu> gpus, Optional<String> problem) {

    public NvidiaReport {
        gpus = List.copyOf(gpus);
    }

    public static NvidiaReport none(String why) {
        return new NvidiaReport("none", Optional.empty(), Optional.empty(), List.of(), Optional.of(why));
    }

    /** GPUs with memory of their own. */
    public List<NvidiaGpu> discrete() {
        return gpus.stream().filter(g -> !g.integrated()).toList();
    }

    /** "12040" (as NVML and cuDriverGetVersion encode it) as "12.4". */
    static String cudaVersion(int encoded) {
        return encoded / 1000 + "." + (encoded % 1000) / 10;
    }
}
