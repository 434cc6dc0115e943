package dev.slm.server.backend;

/**
 * A model the server has in memory now, as `slm ps` shows it.
 *
 * @param memoryBytes     the server's estimate of what its runner takes (weights, KV cache, buffers)
 * @param gpuLayers       layers offloaded to a GPU as configured (0 = CPU only, -1 = all)
 * @param idleSeconds     since its last request ended (0 while it answers)
 * @param keepAliveSeconds how long it stays loaded without requests; negative = for good
 */
public record LoadedModel(String name, String file, long memoryBytes, int gpuLayers, int contextSize, int active,
                          int queued, long idleSeconds, long keepAliveSeconds, int loraAdapters) {
}
