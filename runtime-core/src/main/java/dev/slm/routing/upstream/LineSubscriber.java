package dev.slm.routing.upstream;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns an HTTP response body into lines that a consumer polls with a timeout: the reason this is not
 * a blocking {@code InputStream} is that a read blocked on a silent upstream could not be given up.
 *
 * <p>At most one request for more data is outstanding, and it is made only when the consumer finds
 * no line waiting, so a slow consumer holds back a fast upstream instead of buffering its answer.
 */
final class LineSubscriber implements Flow.Subscriber<List<ByteBuffer>> {

    /** What the consumer gets: a line, the end of the body, or the failure that ended it. */
    sealed interface Item permits Line, End, Failed {
    }

    record Line(String text) implements Item {
    }

    record End() implements Item {
    }

    record Failed(Throwable error) implements Item {
    }

    private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
    private final AtomicBoolean demandOutstanding = new AtomicBoolean();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    // Written by the HTTP client's thread only (onNext/onComplete are serial).
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (cancelled.get()) {
            s.cancel();
            return;
        }
        demandOutstanding.set(true);
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        List<Line> lines = new ArrayList<>();
        for (ByteBuffer buffer : buffers) {
            while (buffer.hasRemaining()) {
                byte b = buffer.get();
                // '\n' never occurs inside a multi-byte UTF-8 sequence, so splitting bytes on it is safe.
                if (b == '\n') {
                    lines.add(takeLine());
                } else {
                    partial.write(b);
                }
            }
        }
        if (lines.isEmpty()) {
            subscription.request(1);
        } else {
            // Cleared before the lines are queued: a consumer that finds the queue empty after taking
            // them must be able to ask for more, and one waiting now is woken by the lines.
            demandOutstanding.set(false);
            items.addAll(lines);
        }
    }

    private Line takeLine() {
        String line = partial.toString(StandardCharsets.UTF_8);
        partial.reset();
        return new Line(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
    }

    @Override
    public void onError(Throwable error) {
        items.add(new Failed(error));
    }

    @Override
    public void onComplete() {
        if (partial.size() > 0) {
            items.add(takeLine());
        }
        items.add(new End());
    }

    /** The next item, or null when nothing came within {@code idle}. */
    Item poll(Duration idle) throws InterruptedException {
        Item item = items.poll();
        if (item != null) {
            return item;
        }
        Flow.Subscription s = subscription;
        if (s != null && demandOutstanding.compareAndSet(false, true)) {
            s.request(1);
        }
        return items.poll(idle.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Reads the rest of a (short) body, up to {@code limit} characters: for error messages. */
    String readRest(int limit, Duration idle) throws InterruptedException {
        StringBuilder text = new StringBuilder();
        while (text.length() < limit) {
            Item item = poll(idle);
            if (!(item instanceof Line line)) {
                break;
            }
            text.append(line.text()).append('\n');
        }
        return text.toString();
    }

    /** Stops the body: the HTTP client closes the connection. Safe to call more than once. */
    void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }
}
