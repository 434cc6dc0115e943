package dev.slm.hardware;

/**
 * One NVIDIA GPU.
 *
 * @param memoryTotal        bytes of device memory (for an integrated GPU: the shared system memory)
 * @param memoryFree         free bytes, -1 when the library that answered cannot tell (CUDA driver)
 * @param integrated         shares the system's memory (Jetson) instead of having its own
 * @param computeCapability  e.g. "8.9", empty when unknown
 */
public record NvidiaGpu(int index, String name, long memoryTotal, long memoryFree, boolean integrated,
                        String computeCapability) {

    /** Free memory, or the total when the library did not say. */
    public long memoryFreeOrTotal() {
        return memoryFree >= 0 ? memoryFree : memoryTotal;
    }
}
