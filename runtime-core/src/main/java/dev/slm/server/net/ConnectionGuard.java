package dev.slm.server.net;

import dev.slm.server.config.ServerLimits;
import dev.slm.server.metrics.ServerMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's public socket. The JDK's HTTP server cannot limit connections per client, bound how
 * long headers may take apart from the body, or tell a handler that its client hung up; so clients
 * connect here, and each connection is relayed to the HTTP server on a loopback port.
 *
 * <p>Slowloris defence: a connection must deliver its first request's headers within
 * {@code header_timeout}; one address may hold {@code max_connections_per_address}, all together
 * {@code max_connections}. At either limit a new connection takes the place of the oldest one that
 * is not being answered (a slow sender, an idle keep-alive), so a probe or a real client still gets
 * in while an attacker's connections churn; only when every connection is busy is it refused (503).
 */
public final class ConnectionGuard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);
    /** How long a keep-alive connection may sit between requests (the JDK server's own idle default). */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final byte[] REFUSED = refusal();

    private final ServerSocket listener;
    private final InetSocketAddress inner;
    private final long headerNanos;
    private final int maxConnections;
    private final int maxPerAddress;
    private final ServerMetrics metrics;
    private final LinkedHashSet<ClientConnection> open = new LinkedHashSet<>(); // oldest first; guarded by this
    private final Map<Integer, ClientConnection> byInnerPort = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("slm-conn-sweeper").unstarted(r));
    private volatile boolean closed;

    private ConnectionGuard(ServerSocket listener, InetSocketAddress inner, ServerLimits limits, ServerMetrics metrics) {
        this.listener = listener;
        this.inner = inner;
        this.headerNanos = limits.headerTimeout().toNanos();
        this.maxConnections = limits.maxConnections();
        this.maxPerAddress = limits.maxConnectionsPerAddress();
        this.metrics = metrics;
        metrics.gauge("slm_http_connections_open", "Client connections open now.", sink -> sink.sample(size()));
    }

    /** Binds {@code bind}; connections are relayed to {@code inner} once {@link #start()} is called. */
    public static ConnectionGuard bind(InetSocketAddress bind, InetSocketAddress inner, ServerLimits limits,
                                       ServerMetrics metrics) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(bind, 512);
        return new ConnectionGuard(listener, inner, limits, metrics);
    }

    public void start() {
        Thread.ofPlatform().daemon().name("slm-accept").start(this::acceptLoop);
        sweeper.scheduleWithFixedDelay(this::sweep, 250, 250, TimeUnit.MILLISECONDS);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** The connection the HTTP server sees as coming from {@code remote}, or null. */
    public ClientConnection connection(InetSocketAddress remote) {
        return remote == null ? null : byInnerPort.get(remote.getPort());
    }

    /** Stops accepting; connections already open go on until they end or {@link #close()}. */
    public void stopAccepting() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        stopAccepting();
        sweeper.shutdownNow();
        List<ClientConnection> all;
        synchronized (this) {
            all = new ArrayList<>(open);
        }
        all.forEach(ClientConnection::close);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("accepting a connection failed: {}", e.getMessage());
                }
                continue;
            }
            admit(client);
        }
    }

    private void admit(Socket client) {
        InetAddress from = client.getInetAddress();
        ClientConnection evicted = null;
        boolean refuse = false;
        synchronized (this) {
            boolean perAddress = open.stream().filter(c -> c.address().equals(from)).count() >= maxPerAddress;
            if (perAddress || open.size() >= maxConnections) {
                evicted = oldestIdle(perAddress ? from : null);
                refuse = evicted == null;
                if (evicted != null) {
                    open.remove(evicted);
                }
            }
        }
        if (evicted != null) {
            metrics.connectionsDropped.inc("evicted");
            evicted.close();
        }
        if (refuse) {
            metrics.connectionsDropped.inc("refused");
            refuse(client);
            return;
        }
        ClientConnection c = new ClientConnection(client, this);
        try {
            c.connect(inner);
        } catch (IOException e) {
            log.warn("cannot relay a connection to the HTTP server at {}: {}", inner, e.getMessage());
            c.close();
            return;
        }
        synchronized (this) {
            open.add(c);
        }
        byInnerPort.put(c.innerPort(), c);
        c.relay();
    }

    /** The oldest connection (of {@code from}, or of anyone) on which nothing is being answered. */
    private ClientConnection oldestIdle(InetAddress from) {
        for (ClientConnection c : open) {
            if (!c.busy() && (from == null || c.address().equals(from))) {
                return c;
            }
        }
        return null;
    }

    /** Closes connections whose first headers are late, and keep-alives idle for too long. */
    private void sweep() {
        long now = System.nanoTime();
        List<ClientConnection> late = new ArrayList<>();
        synchronized (this) {
            for (ClientConnection c : open) {
                if (!c.busy() && (c.served() ? now - c.idleSinceNanos() > IDLE_NANOS : now - c.acceptedNanos() > headerNanos)) {
                    late.add(c);
                }
            }
        }
        for (ClientConnection c : late) {
            if (!c.served()) {
                metrics.connectionsDropped.inc("header_timeout");
            }
            c.close();
        }
    }

    void forget(ClientConnection c) {
        synchronized (this) {
            open.remove(c);
        }
        byInnerPort.remove(c.innerPort(), c);
    }

    private synchronized int size() {
        return open.size();
    }

    /** Every connection is busy: say so, rather than leave the client waiting. */
    private static void refuse(Socket client) {
        try (client) {
            client.setSoTimeout(1000);
            OutputStream out = client.getOutputStream();
            out.write(REFUSED);
            out.flush();
        } catch (IOException e) {
            // it left already
        }
    }

    private static byte[] refusal() {
        String body = "{\"error\":{\"message\":\"the server has too many connections open (max_connections, "
                + "max_connections_per_address); retry shortly\",\"type\":\"server_error\",\"param\":null,\"code\":\"too_many_connections\"}}";
        return ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }
}
