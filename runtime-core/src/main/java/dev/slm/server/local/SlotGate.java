package dev.slm.server.local;

import dev.slm.server.backend.BackendException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Admission for one model: {@code slots} requests run at once (llama.cpp runs that many
 * generations side by side), up to {@code queue} more wait their turn in arrival order, and
 * anything past that is refused at once with 429.
 */
final class SlotGate {
    private final String model;
    private final int slots;
    private final int queue;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final Condition freed = lock.newCondition();
    private int active;
    private int waiting;
    private boolean closed;
    private boolean aborted;

    /** A held slot; {@link #release()} may be called more than once. */
    final class Permit {
        private boolean released;

        void release() {
            lock.lock();
            try {
                if (!released) {
                    released = true;
                    active--;
                    freed.signal();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    SlotGate(String model, int slots, int queue) {
        this.model = model;
        this.slots = slots;
        this.queue = queue;
    }

    Permit acquire(Instant deadline) {
        lock.lock();
        try {
            checkOpen();
            if (active < slots && waiting == 0) {
                active++;
                return new Permit();
            }
            if (waiting >= queue) {
                throw BackendException.busy(model, 1);
            }
            waiting++;
            try {
                while (active >= slots) {
                    if (aborted) {
                        throw BackendException.stopped("shutting_down", "the server is shutting down; this request waited in vain");
                    }
                    long nanos = Duration.between(Instant.now(), deadline).toNanos();
                    if (nanos <= 0) {
                        throw BackendException.timeout("waited for a free slot of model '" + model
                                + "' until the request_timeout ran out");
                    }
                    freed.awaitNanos(nanos);
                }
                active++;
                if (active < slots) {
                    freed.signal(); // more than one slot may have come free
                }
                return new Permit();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw BackendException.stopped("interrupted", "the request was interrupted while queued");
            } finally {
                waiting--;
            }
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw BackendException.stopped("shutting_down", "the server is shutting down");
        }
    }

    /** Refuses new requests; queued ones keep their place and still get a slot as one comes free. */
    void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new requests and fails the queued ones with 503. */
    void abort() {
        lock.lock();
        try {
            closed = true;
            aborted = true;
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int active() {
        lock.lock();
        try {
            return active;
        } finally {
            lock.unlock();
        }
    }

    int waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    int slots() {
        return slots;
    }
}
