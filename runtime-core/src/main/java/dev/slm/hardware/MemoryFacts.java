package dev.slm.hardware;

import java.util.OptionalLong;

/**
 * Memory this process may use: the machine's, or less where a cgroup (container, systemd
 * {@code MemoryMax}) limits it.
 *
 * @param total        bytes, -1 when unknown
 * @param available    bytes that can be taken without swapping (MemAvailable, or the cgroup's limit
 *                     minus what the group already uses, whichever is smaller), -1 when unknown
 * @param cgroupLimit  the tightest cgroup limit, if any
 * @param source       where the numbers come from, for {@code slm profile}
 */
public record MemoryFacts(long total, long available, OptionalLong cgroupLimit, String source) {

    public boolean known() {
        return total >= 0 && available >= 0;
    }

    public static MemoryFacts unknown(String why) {
        return new MemoryFacts(-1, -1, OptionalLong.empty(), why);
    }
}
