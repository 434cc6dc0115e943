package dev.slm.server;

import com.sun.net.httpserver.HttpServer;
import dev.slm.server.backend.BackendException;
import dev.slm.server.api.ApiHandler;
import dev.slm.server.config.ServerConfig;
import dev.slm.server.local.LocalModels;
import dev.slm.server.metrics.ServerMetrics;
import dev.slm.server.net.ConnectionGuard;
import dev.slm.server.runner.RunnerLaunch;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code slm serve}: an OpenAI-compatible HTTP server over the configured models, each in a runner
 * process of its own. Requests are answered on virtual threads (the JDK's built-in HTTP server);
 * how many run per model is bounded by its slots and queue, not by threads.
 */
public final class SlmServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SlmServer.class);

    static {
        // The JDK server reads these once, when the first server is created. Nagle's algorithm would
        // hold back small SSE writes (one token each); a request whose body trickles in is cut off
        // after 60 s. Connections are counted and limited by the ConnectionGuard in front of it.
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        setIfAbsent("sun.net.httpserver.maxReqTime", "60");
    }

    private final ServerConfig config;
    private final ServerMetrics metrics;
    private final LocalModels models;
    private final HttpServer http;
    private final ConnectionGuard guard;
    private final ApiHandler handler;
    private final ExecutorService executor;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private SlmServer(ServerConfig config, RunnerLaunch launch) throws IOException {
        this.config = config;
        this.metrics = new ServerMetrics();
        this.models = new LocalModels(config, launch, metrics);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        HttpServer server;
        ConnectionGuard front;
        try {
            // The HTTP server listens on loopback only; clients reach it through the guard.
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
            try {
                front = ConnectionGuard.bind(new InetSocketAddress(config.host(), config.port()), server.getAddress(),
                        config.limits(), metrics);
            } catch (IOException e) {
                server.stop(0);
                throw e;
            }
        } catch (IOException e) {
            models.close();
            throw e;
        }
        this.http = server;
        this.guard = front;
        this.handler = new ApiHandler(config, models, metrics, this::notReady, guard);
        http.createContext("/", handler);
        http.setExecutor(executor);
    }

    /**
     * Binds, starts answering, and starts loading the preloaded models in the background.
     *
     * @throws dev.slm.server.config.ConfigException when a model cannot be served (bad file, over the memory budget)
     * @throws dev.slm.SlmException when the address cannot be bound
     */
    public static SlmServer start(ServerConfig config) {
        return start(config, RunnerLaunch.sameJava());
    }

    public static SlmServer start(ServerConfig config, RunnerLaunch launch) {
        SlmServer server;
        try {
            server = new SlmServer(config, launch);
        } catch (IOException e) {
            throw new dev.slm.SlmException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage()
                    + " (is another server using the port? set port or host)");
        }
        server.http.start();
        server.guard.start();
        server.models.preload();
        if (server.models.models().isEmpty()) {
            log.warn("no models to serve yet: the model store is empty; pull one as this server's user (slm pull NAME) and restart");
        }
        log.info("slm serve listening on http://{}:{} with models {}{}", config.host(), server.port(),
                server.models.models().stream().map(m -> m.id()).toList(),
                config.apiKeys().isEmpty() ? " (no API keys: anyone who can reach the port may use it)" : "");
        return server;
    }

    public InetSocketAddress address() {
        return guard.address();
    }

    public int port() {
        return guard.address().getPort();
    }

    public ServerConfig config() {
        return config;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    public LocalModels models() {
        return models;
    }

    /** Why the server is not ready, or nothing when it is. */
    public List<String> notReady() {
        List<String> reasons = new ArrayList<>();
        if (draining.get()) {
            reasons.add("the server is shutting down");
        }
        reasons.addAll(models.notReady());
        return reasons;
    }

    /**
     * Stops gracefully: stops accepting connections and new requests, lets running and queued
     * requests finish for up to {@code grace}, then fails what is left (a stream ends with an error
     * event) and ends every runner. Safe to call more than once.
     */
    public void shutdown(Duration grace) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        draining.set(true);
        int running = handler.inFlight();
        log.info("shutting down: {} requests in flight, waiting up to {} s for them", running, grace.toSeconds());
        models.stopAdmitting();
        guard.stopAccepting();
        // stop() closes the listening socket at once, then waits for the exchanges still running.
        Thread stopper = Thread.ofPlatform().name("slm-http-stop").start(() -> http.stop((int) grace.toSeconds() + 10));
        long deadline = System.nanoTime() + grace.toNanos();
        while (handler.inFlight() > 0 && System.nanoTime() < deadline) {
            sleep(20);
        }
        if (handler.inFlight() > 0) {
            log.warn("cancelling {} requests still running after the {} s shutdown grace", handler.inFlight(), grace.toSeconds());
            models.abortAll(BackendException.stopped("shutting_down",
                    "the server is shutting down and cancelled this request after its grace period"));
            long hard = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (handler.inFlight() > 0 && System.nanoTime() < hard) {
                sleep(20);
            }
        }
        try {
            stopper.join(Duration.ofSeconds(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        guard.close();
        models.close();
        handler.close();
        executor.shutdownNow();
        log.info("slm serve stopped");
    }

    @Override
    public void close() {
        shutdown(config.shutdownGrace());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
