package dev.slm.server.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client connection, relayed byte for byte to the HTTP server behind the guard. It knows what
 * the HTTP server cannot tell a handler: whether the client has hung up ({@link #gone()}), and
 * whether a request is being answered on it ({@link #busy()}), which makes it safe from eviction.
 */
public final class ClientConnection {
    private final Socket client;
    private final Socket server = new Socket();
    private final ConnectionGuard guard;
    private final long acceptedNanos = System.nanoTime();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean gone;
    private volatile boolean busy;
    private volatile boolean served;
    private volatile long idleSinceNanos = acceptedNanos;

    ClientConnection(Socket client, ConnectionGuard guard) {
        this.client = client;
        this.guard = guard;
    }

    void connect(InetSocketAddress inner) throws IOException {
        client.setTcpNoDelay(true); // one SSE event per token must not wait for Nagle
        server.setTcpNoDelay(true);
        server.connect(inner, 5_000);
    }

    /** The port the HTTP server sees this connection come from. */
    int innerPort() {
        return server.getLocalPort();
    }

    public InetAddress address() {
        return client.getInetAddress();
    }

    void relay() {
        Thread.ofVirtual().name("slm-conn-up").start(this::up);
        Thread.ofVirtual().name("slm-conn-down").start(this::down);
    }

    /** Client to server. The client's end of the stream means it hung up (or half-closed, which HTTP clients do not). */
    private void up() {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = client.getInputStream();
            OutputStream out = server.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
            gone = true;
            server.shutdownOutput();
        } catch (IOException e) {
            gone = true;
            close();
        }
    }

    /** Server to client, until either side closes. */
    private void down() {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = server.getInputStream();
            OutputStream out = client.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            gone = true;
        }
        close();
    }

    /** The client hung up: nobody will read what is being prepared for it. */
    public boolean gone() {
        return gone;
    }

    /** A request has reached its handler on this connection. */
    public void requestStarted() {
        served = true;
        busy = true;
    }

    public void requestEnded() {
        busy = false;
        idleSinceNanos = System.nanoTime();
    }

    boolean busy() {
        return busy;
    }

    boolean served() {
        return served;
    }

    long acceptedNanos() {
        return acceptedNanos;
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        quietly(client);
        quietly(server);
        guard.forget(this);
    }

    private static void quietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
