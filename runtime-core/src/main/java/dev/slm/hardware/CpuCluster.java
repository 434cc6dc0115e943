package dev.slm.hardware;

/**
 * CPUs of one kind: the big or the little cores of a big.LITTLE chip, Apple's performance or
 * efficiency cores, or all the cores of an ordinary CPU.
 *
 * @param name         core type ("Cortex-A76", "Performance") or the CPU's model name
 * @param maxFreqKHz   highest clock of these cores, 0 when unknown
 * @param cores        physical cores
 * @param logicalCpus  hardware threads
 * @param performance  the faster kind on a chip with several kinds; true on a chip with one kind
 */
public record CpuCluster(String name, long maxFreqKHz, int cores, int logicalCpus, boolean performance) {
}
