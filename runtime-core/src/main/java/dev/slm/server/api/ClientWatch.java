package dev.slm.server.api;

import dev.slm.server.net.ClientConnection;
import java.util.function.BooleanSupplier;

/**
 * Watches a request's client while its answer is being prepared. A request that is not streamed
 * writes nothing until its generation ends, so a client that hangs up would otherwise hold its
 * slot (or queue place) until max_tokens. When the client is gone and nothing has been sent yet,
 * the request's thread is interrupted: a queued request leaves the queue, a running generation is
 * cancelled in its runner, as a stream's failed write does.
 */
final class ClientWatch implements AutoCloseable {
    private static final long POLL_MILLIS = 200;

    private final ClientConnection connection;
    private final Thread request;
    private final BooleanSupplier nothingSent;
    private final Runnable onGone;
    private final Thread watcher;
    private boolean closed;
    private boolean fired;

    private ClientWatch(ClientConnection connection, Thread request, BooleanSupplier nothingSent, Runnable onGone) {
        this.connection = connection;
        this.request = request;
        this.nothingSent = nothingSent;
        this.onGone = onGone;
        this.watcher = Thread.ofVirtual().name("slm-client-watch").unstarted(this::watch);
    }

    /** Watches {@code connection} for the current thread; null connection (not relayed) = no watch. */
    static ClientWatch start(ClientConnection connection, BooleanSupplier nothingSent, Runnable onGone) {
        ClientWatch w = new ClientWatch(connection, Thread.currentThread(), nothingSent, onGone);
        if (connection != null) {
            w.watcher.start();
        }
        return w;
    }

    private void watch() {
        try {
            while (!connection.gone()) {
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            return; // closed
        }
        synchronized (this) {
            if (closed || !nothingSent.getAsBoolean()) {
                return; // answered, or streaming: a failed write reports it there
            }
            fired = true;
            request.interrupt();
        }
        onGone.run();
    }

    /** Stops watching; from the request's thread, which loses any interrupt the watch gave it. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (fired) {
                Thread.interrupted();
            }
        }
        watcher.interrupt();
    }
}
