package dev.slm.hardware;

/**
 * An Apple Silicon chip: its GPU shares the system memory (unified memory).
 *
 * @param name              "Apple M2"
 * @param gpuWorkingSet     bytes Metal lets the GPU use: iogpu.wired_limit_mb when set, else
 *                          Metal's default (about 2/3 of RAM, 3/4 from 64 GiB)
 */
public record AppleChip(String name, int performanceCores, int efficiencyCores, long gpuWorkingSet) {
}
