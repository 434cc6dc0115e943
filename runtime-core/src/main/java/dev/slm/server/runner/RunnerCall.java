package dev.slm.server.runner;

import dev.slm.engine.Completion;
import dev.slm.engine.GenerationEvent;
import dev.slm.engine.Timings;
import dev.slm.engine.Usage;
import dev.slm.server.backend.BackendException;
import dev.slm.server.backend.TextStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One generation in a runner, seen from the server. The runner's reader thread delivers events;
 * the request's thread takes them. {@code onEnd} runs once, as soon as the runner reports the end
 * (or dies), which is when the slot is really free again.
 */
final class RunnerCall implements TextStream {
    private static final Logger log = LoggerFactory.getLogger(RunnerCall.class);
    /** How long close() waits for the runner to confirm a cancel before giving the slot back anyway. */
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(2);

    private final long id;
    private final RunnerProcess runner;
    private final Instant deadline;
    private final Runnable onEnd;
    private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private boolean consumed;

    RunnerCall(long id, RunnerProcess runner, Instant deadline, Runnable onEnd) {
        this.id = id;
        this.runner = runner;
        this.deadline = deadline;
        this.onEnd = onEnd;
    }

    long id() {
        return id;
    }

    /** From the reader thread. */
    void deliver(RunnerMessage message) {
        events.add(message);
        if (message instanceof RunnerMessage.Done || message instanceof RunnerMessage.Failed
                || message instanceof RunnerMessage.Answer) {
            end();
        }
    }

    /** The runner died or is being stopped: the consumer gets {@code error}. */
    void abort(BackendException error) {
        events.add(error);
        end();
    }

    private void end() {
        if (ended.compareAndSet(false, true)) {
            runner.forget(id);
            onEnd.run();
        }
    }

    @Override
    public GenerationEvent next() {
        switch (take()) {
            case RunnerMessage.Token t -> {
                return new GenerationEvent.Token(t.text());
            }
            case RunnerMessage.Done d -> {
                return new Completion(d.text(), d.stopReason(), new Usage(d.promptTokens(), d.completionTokens()),
                        new Timings(Duration.ofNanos(d.timeToFirstTokenNanos()), Duration.ofNanos(d.totalNanos()),
                                d.tokensPerSecond()));
            }
            case RunnerMessage other -> throw new IllegalStateException("unexpected " + other.getClass().getSimpleName());
        }
    }

    /**
     * The runner's next message for this call, waiting until the request's deadline.
     *
     * @throws BackendException for a failure, a runner gone, the deadline passed or an interrupt (the
     *                      client went away); each but a failure cancels the call
     */
    RunnerMessage take() {
        if (consumed) {
            throw new IllegalStateException("the stream has ended");
        }
        Object event;
        try {
            long wait = Duration.between(Instant.now(), deadline).toNanos();
            event = wait > 0 ? events.poll(wait, TimeUnit.NANOSECONDS) : events.poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
            consumed = true;
            throw BackendException.stopped("interrupted", "the request was interrupted");
        }
        if (event == null) {
            cancel();
            consumed = true;
            throw BackendException.timeout("the request took longer than the server's request_timeout and was stopped");
        }
        switch (event) {
            case RunnerMessage.Failed f -> {
                consumed = true;
                throw f.rejected()
                        ? RunnerMessage.CONTEXT_LENGTH_EXCEEDED.equals(f.code())
                                ? BackendException.contextExceeded(f.message())
                                : BackendException.rejected(null, f.message())
                        : BackendException.failed(f.message());
            }
            case BackendException e -> {
                consumed = true;
                throw e;
            }
            case RunnerMessage m -> {
                consumed = m instanceof RunnerMessage.Done || m instanceof RunnerMessage.Answer;
                return m;
            }
            default -> throw new IllegalStateException("unexpected event " + event);
        }
    }

    @Override
    public void cancel() {
        if (!ended.get()) {
            runner.sendQuietly(new RunnerMessage.Cancel(id));
        }
    }

    /**
     * Cancels a generation that has not ended and returns at once. The slot comes free when the
     * runner confirms, or after {@link #CANCEL_WAIT} if it does not (a runner that hangs).
     */
    @Override
    public void close() {
        if (ended.get()) {
            return;
        }
        cancel();
        CompletableFuture.delayedExecutor(CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (!ended.get()) {
                log.warn("runner {} did not confirm cancelling request {} within {} s; freeing its slot anyway",
                        runner.pid(), id, CANCEL_WAIT.toSeconds());
                end();
            }
        });
    }
}
