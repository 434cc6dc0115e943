package dev.slm.hardware;

/** Asks NVIDIA's libraries (NVML, else the CUDA driver) which GPUs there are. */
@FunctionalInterface
public interface NvidiaQuery {
    /** Never throws: a missing library or a failing call is a report with a problem. */
    NvidiaReport query();
}
