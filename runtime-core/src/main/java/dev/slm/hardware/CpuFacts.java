package dev.slm.hardware;

import java.util.Collections;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CPU as far as tuning cares.
 *
 * @param model          model name ("Intel(R) Xeon(R) Processor", "4x Cortex-A76", "Apple M2")
 * @param logical        hardware threads the system may run on
 * @param physical       physical cores
 * @param clusters       kinds of cores, fastest first
 * @param features       instruction-set features llama.cpp cares about, sorted (avx2, avx512, fma, f16c,
 *                       bmi2, neon, dotprod, i8mm, sve, fp16...)
 * @param featuresKnown  whether {@code features} could be read at all (not on Windows)
 * @param cpuQuota       CPUs a cgroup lets this process use (cpu.max, cfs quota), if limited
 */
public record CpuFacts(String model, int logical, int physical, List<CpuCluster> clusters, Set<String> features,
                       boolean featuresKnown, OptionalDouble cpuQuota) {

    public CpuFacts {
        clusters = List.copyOf(clusters);
        features = Collections.unmodifiableSortedSet(new TreeSet<>(features));
    }

    /** Cores of more than one kind (big.LITTLE, Apple P/E, Intel P/E). */
    public boolean bigLittle() {
        return clusters.size() > 1;
    }

    /** Physical cores of the fast kind; all physical cores on a chip with one kind. */
    public int performanceCores() {
        int fast = clusters.stream().filter(CpuCluster::performance).mapToInt(CpuCluster::cores).sum();
        return bigLittle() && fast > 0 ? fast : physical;
    }

    /** {@code wanted} threads, no more than the cgroup's CPU quota allows (rounded up), at least one. */
    public int withinQuota(int wanted) {
        int allowed = cpuQuota.isPresent() ? (int) Math.ceil(cpuQuota.getAsDouble()) : Integer.MAX_VALUE;
        return Math.max(1, Math.min(wanted, allowed));
    }
}
