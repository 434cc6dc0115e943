package dev.slm.server.config;

import dev.slm.openai.ImageLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the server allows hostile or broken peers: clients on the network, web pages in a browser,
 * and runners that freeze or crash.
 *
 * @param allowedHosts      names a request's {@code Host} may carry besides IP literals and
 *                          {@code localhost} ({@code *} = any); a DNS-rebinding page carries its own name
 * @param headerTimeout     how long a new connection may take to send its request headers
 * @param maxConnections    open client connections in all
 * @param maxConnectionsPerAddress open connections from one client address
 * @param runnerStallTimeout how long a loaded runner may leave a heartbeat unanswered before it is
 *                          taken for frozen, killed and replaced
 * @param runnerMemoryMax   the data-segment limit (RLIMIT_DATA) of each runner: -1 = its model's
 *                          estimate plus {@link #RUNNER_HEADROOM}, 0 = none
 * @param stateDir          where runners' crash reports go ({@code hs_err_pid*.log})
 * @param images            how many images a request may carry, how large, and whether image URLs are fetched
 */
public record ServerLimits(List<String> allowedHosts, Duration headerTimeout, int maxConnections,
                           int maxConnectionsPerAddress, Duration runnerStallTimeout, long runnerMemoryMax,
                           Path stateDir, ImageLimits images) {
    /** Room above a model's estimate for its runner JVM's reservations and llama.cpp's scratch buffers. */
    public static final long RUNNER_HEADROOM = 1L << 30;

    public ServerLimits {
        allowedHosts = List.copyOf(allowedHosts);
    }

    /** The runner memory limit for a model whose estimate is {@code estimate} bytes; 0 = none. */
    public long runnerMemoryLimit(long estimate) {
        return runnerMemoryMax < 0 ? estimate + RUNNER_HEADROOM : runnerMemoryMax;
    }
}
