package dev.slm.download;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body pulled buffer by buffer with a stall timeout. HttpClient's request timeout ends
 * when the headers arrive; a connection that then goes silent would block a plain InputStream
 * forever, which on a flaky edge network is the common failure.
 */
final class BodyStream implements Flow.Subscriber<List<ByteBuffer>>, AutoCloseable {
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Duration stallTimeout;
    private volatile Flow.Subscription subscription;
    private Iterator<ByteBuffer> current = Collections.emptyIterator();
    private boolean ended;

    BodyStream(Duration stallTimeout) {
        this.stallTimeout = stallTimeout;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable t) {
        queue.add(t);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    /** The next bytes of the body, or null at its end. */
    ByteBuffer next() throws IOException {
        while (true) {
            while (current.hasNext()) {
                ByteBuffer b = current.next();
                if (b.hasRemaining()) {
                    return b;
                }
            }
            if (ended) {
                return null;
            }
            Object item;
            try {
                item = queue.poll(stallTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while downloading");
            }
            if (item == null) {
                throw new HttpTimeoutException("no data for " + stallTimeout.toSeconds() + " s");
            } else if (item == END) {
                ended = true;
            } else if (item instanceof Throwable t) {
                ended = true;
                throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
            } else {
                @SuppressWarnings("unchecked")
                List<ByteBuffer> buffers = (List<ByteBuffer>) item;
                current = buffers.iterator();
                subscription.request(1);
            }
        }
    }

    /** Stops the transfer; the connection is dropped rather than drained. */
    @Override
    public void close() {
        Flow.Subscription s = subscription;
        if (s != null && !ended) {
            s.cancel();
        }
    }
}
