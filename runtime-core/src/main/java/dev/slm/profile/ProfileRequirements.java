package dev.slm.profile;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a machine must have for a profile to suit it.
 *
 * @param os           linux, mac, windows (any of)
 * @param arch         x86_64, aarch64 (any of)
 * @param accelerator  "nvidia" (a discrete NVIDIA GPU), "apple-silicon", "gpu" (an AMD or NVIDIA GPU with a
 *                     kernel display driver: what Vulkan runs on), or null for none
 * @param board        a regular expression the device tree's model must match (e.g. "^Raspberry Pi"), or null
 */
public record ProfileRequirements(List<String> os, List<String> arch, String accelerator, String board) {
    public static final String NVIDIA = "nvidia";
    public static final String APPLE_SILICON = "apple-silicon";
    public static final String GPU = "gpu";

    public ProfileRequirements {
        if (os == null || os.isEmpty() || arch == null || arch.isEmpty()) {
            throw new IllegalArgumentException("requires.os and requires.arch must list at least one value");
        }
        os = List.copyOf(os);
        arch = List.copyOf(arch);
        if (accelerator != null && !Set.of(NVIDIA, APPLE_SILICON, GPU).contains(accelerator)) {
            throw new IllegalArgumentException("requires.accelerator must be nvidia, apple-silicon or gpu, got " + accelerator);
        }
        if (board != null) {
            try {
                Pattern.compile(board);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("requires.board is not a valid regular expression: " + board);
            }
        }
    }
}
