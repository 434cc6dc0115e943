package dev.slm.server.metrics;

import java.lang.management.ManagementFactory;
import java.util.function.Consumer;

/** The metrics slm serve exposes on {@code /metrics}, and the one place that names them. */
public final class ServerMetrics {
    private static final double[] SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    private static final double[] RATES = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};

    private final MetricRegistry registry = new MetricRegistry();

    public final MetricRegistry.Counter requests = registry.counter("slm_http_requests_total",
            "HTTP requests by endpoint and status code; 499: no answer went out (the client left, or its request never arrived whole).", "endpoint", "status");
    public final MetricRegistry.Counter errors = registry.counter("slm_errors_total",
            "Requests answered with an error, by error code (queue_full, runner_crashed, invalid_value...).", "code");
    public final MetricRegistry.Counter promptTokens = registry.counter("slm_prompt_tokens_total",
            "Prompt tokens processed.", "model");
    public final MetricRegistry.Counter completionTokens = registry.counter("slm_completion_tokens_total",
            "Tokens generated.", "model");
    public final MetricRegistry.Histogram timeToFirstToken = registry.histogram("slm_time_to_first_token_seconds",
            "From the request reaching its model to the first generated token (queue wait and prompt processing included).",
            SECONDS, "model");
    public final MetricRegistry.Histogram tokensPerSecond = registry.histogram("slm_generation_tokens_per_second",
            "Decoding speed of each generation (tokens after the first, per second).", RATES, "model");
    public final MetricRegistry.Counter disconnects = registry.counter("slm_client_disconnects_total",
            "Requests (streamed or not) cancelled because the client went away.");
    public final MetricRegistry.Counter connectionsDropped = registry.counter("slm_http_connections_dropped_total",
            "Client connections closed by the server's guard: header_timeout (headers too slow), evicted (made room "
                    + "for a new one at max_connections or max_connections_per_address), refused (every connection busy).",
            "reason");
    public final MetricRegistry.Counter runnerStarts = registry.counter("slm_runner_starts_total",
            "Runner processes started (model loads).", "model");
    public final MetricRegistry.Counter runnerCrashes = registry.counter("slm_runner_crashes_total",
            "Runner processes that exited without being asked to.", "model");
    public final MetricRegistry.Counter runnerStalls = registry.counter("slm_runner_stalls_total",
            "Runner processes killed because they stopped answering their heartbeat (runner_stall_timeout).", "model");
    public final MetricRegistry.Counter runnerRestarts = registry.counter("slm_runner_restarts_total",
            "Runner processes started to replace one that crashed.", "model");

    public ServerMetrics() {
        registry.gauge("process_resident_memory_bytes", "Resident memory of the server process (runners not included).",
                sink -> ProcessMemory.residentBytes(ProcessHandle.current().pid()).ifPresent(v -> sink.sample(v)));
        registry.gauge("slm_jvm_heap_used_bytes", "Java heap in use by the server process.",
                sink -> sink.sample(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()));
    }

    /** Adds a gauge whose samples are read at scrape time. */
    public void gauge(String name, String help, Consumer<MetricRegistry.Gauge.Sink> reader, String... labelNames) {
        registry.gauge(name, help, reader, labelNames);
    }

    public String scrape() {
        return registry.scrape();
    }
}
