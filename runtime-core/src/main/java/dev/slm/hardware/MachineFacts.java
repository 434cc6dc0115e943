package dev.slm.hardware;

import java.util.List;
import java.util.Optional;

/**
 * What detection found out about the machine; profiles are chosen and models planned from this.
 *
 * @param os      linux, mac, windows... (see {@link Platform})
 * @param arch    x86_64, aarch64...
 * @param gpus    AMD and NVIDIA GPUs the kernel has a display (DRM) driver for, in words: what a Vulkan
 *                profile is for
 * @param notes   what could not be read, in words
 */
public record MachineFacts(String os, String arch, CpuFacts cpu, MemoryFacts memory, NvidiaReport nvidia,
                           Optional<AppleChip> apple, Optional<Board> board, List<String> gpus, List<String> notes) {

    public MachineFacts {
        gpus = List.copyOf(gpus);
        notes = List.copyOf(notes);
    }

    /** This machine (or the recording {@value MachineRecording#REPLAY_ENV} names). */
    public static MachineFacts detect() {
        return MachineDetector.detect(MachineRecording.fromEnvironmentOrLive());
    }
}
