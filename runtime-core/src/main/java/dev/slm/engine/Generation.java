package dev.slm.engine;

import dev.slm.SlmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A generation in progress. Tokens are produced on a thread of its own and can be consumed once, in
 * whichever form suits the caller: an {@link Iterator} (or a {@link Stream}), a
 * {@link Flow.Publisher}, a callback ({@link #forEachToken}), or just the result ({@link #await()}).
 *
 * <p>{@link #cancel()} may be called from any thread. The consumer sees the final
 * {@link Completion} (stop reason {@link StopReason#CANCELLED}) at once; the native side stops at
 * its next token. It cannot stop sooner because the binding's receive call cannot be interrupted:
 * cancelling from a thread blocked in it would leave that thread blocked forever.
 */
public final class Generation implements Iterable<GenerationEvent> {
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    /** Starts the native completion, on the generation's own thread. */
    private final Supplier<NativeModel.NativeCompletion> starter;
    private final SamplingOptions sampling;
    private final List<Consumer<Completion>> listeners = new ArrayList<>();
    private final int promptTokens;
    private final int maxTokens;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<Completion> result = new CompletableFuture<>();
    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    private final AtomicBoolean consumed = new AtomicBoolean();
    private final StringBuilder text = new StringBuilder();
    private final long startNanos = System.nanoTime();
    private long firstTokenNanos;
    private int generated;

    /** A failure of the pump thread, carried through the event queue to the consumer. */
    private record Failure(RuntimeException error) {
    }

    private Generation(Supplier<NativeModel.NativeCompletion> starter, SamplingOptions sampling, int promptTokens,
                       int maxTokens) {
        this.starter = starter;
        this.sampling = sampling;
        this.promptTokens = promptTokens;
        this.maxTokens = maxTokens;
    }

    static Generation start(NativeModel model, String prompt, SamplingOptions sampling, int promptTokens, int maxTokens) {
        return start(() -> model.complete(prompt, sampling, maxTokens), sampling, promptTokens, maxTokens);
    }

    /** A generation over a completion that {@code starter} begins (a chat with images, for one). */
    static Generation start(Supplier<NativeModel.NativeCompletion> starter, SamplingOptions sampling, int promptTokens,
                            int maxTokens) {
        Generation g = new Generation(starter, sampling, promptTokens, maxTokens);
        Thread.ofPlatform().daemon().name("slm-generation-" + THREAD_IDS.incrementAndGet()).start(g::pump);
        return g;
    }

    private void pump() {
        try {
            NativeModel.NativeCompletion completion = starter.get();
            StopStringMatcher stops = new StopStringMatcher(sampling.stop());
            StopReason reason;
            while (true) {
                if (cancelRequested.get()) {
                    completion.cancel();
                    reason = StopReason.CANCELLED;
                    break;
                }
                String piece = completion.next();
                if (piece == null) {
                    reason = generated >= maxTokens ? StopReason.LENGTH : StopReason.EOS;
                    break;
                }
                if (cancelRequested.get()) {
                    completion.cancel();
                    reason = StopReason.CANCELLED;
                    break;
                }
                emit(stops.accept(piece), true);
                if (stops.stopped()) {
                    completion.cancel();
                    reason = StopReason.STOP_STRING;
                    break;
                }
            }
            if (reason != StopReason.STOP_STRING) {
                emit(stops.flush(), false);
            }
            finish(reason);
        } catch (SlmException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new SlmException("generation failed: " + e.getMessage(), e));
        }
    }

    private synchronized void emit(String piece, boolean countsAsToken) {
        if (result.isDone()) {
            return;
        }
        if (countsAsToken && generated++ == 0) {
            firstTokenNanos = System.nanoTime();
        }
        if (!piece.isEmpty()) {
            text.append(piece);
            events.add(new GenerationEvent.Token(piece));
        }
    }

    private synchronized void finish(StopReason reason) {
        if (result.isDone()) {
            return;
        }
        long end = System.nanoTime();
        Duration ttft = Duration.ofNanos((generated > 0 ? firstTokenNanos : end) - startNanos);
        double tokensPerSecond = generated > 1 ? (generated - 1) / ((end - firstTokenNanos) / 1e9) : 0;
        Completion c = new Completion(text.toString(), reason, new Usage(promptTokens, generated),
                new Timings(ttft, Duration.ofNanos(end - startNanos), tokensPerSecond));
        // Listeners (chat history) run before the result is set: a thread in await() wakes as soon as
        // it is, while the future's own dependent actions may still be running.
        for (Consumer<Completion> listener : listeners) {
            listener.accept(c);
        }
        result.complete(c);
        events.add(c);
    }

    private synchronized void fail(SlmException e) {
        if (result.completeExceptionally(e)) {
            events.add(new Failure(e));
        }
    }

    /** Stops the generation. Safe from any thread, and more than once. */
    public void cancel() {
        cancelRequested.set(true);
        finish(StopReason.CANCELLED);
    }

    public boolean isDone() {
        return result.isDone();
    }

    /** Runs {@code listener} with the completion when the generation ends, before its consumer sees it. */
    synchronized void onComplete(Consumer<Completion> listener) {
        if (result.isDone()) {
            result.thenAccept(listener);
        } else {
            listeners.add(listener);
        }
    }

    /** Events in order: tokens, then one {@link Completion}. Can be taken once. */
    @Override
    public Iterator<GenerationEvent> iterator() {
        if (!consumed.compareAndSet(false, true)) {
            throw new IllegalStateException("a generation's events can be consumed once");
        }
        return new Iterator<>() {
            private boolean ended;

            @Override
            public boolean hasNext() {
                return !ended;
            }

            @Override
            public GenerationEvent next() {
                if (ended) {
                    throw new NoSuchElementException();
                }
                Object event = take();
                if (event instanceof Failure f) {
                    ended = true;
                    throw f.error();
                }
                ended = event instanceof Completion;
                return (GenerationEvent) event;
            }
        };
    }

    private Object take() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return events.take();
                } catch (InterruptedException e) {
                    // An interrupted consumer cancels; the Completion is then already queued.
                    interrupted = true;
                    cancel();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The events as a stream; closing the stream cancels the generation. */
    public Stream<GenerationEvent> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED), false)
                .onClose(this::cancel);
    }

    /**
     * The events as a {@link Flow.Publisher} for one subscriber, with back-pressure. A subscriber that
     * cancels its subscription cancels the generation.
     */
    public Flow.Publisher<GenerationEvent> publisher() {
        return subscriber -> {
            SubmissionPublisher<GenerationEvent> publisher = new SubmissionPublisher<>();
            publisher.subscribe(subscriber);
            Thread.ofPlatform().daemon().name("slm-publisher-" + THREAD_IDS.incrementAndGet()).start(() -> {
                try {
                    for (GenerationEvent event : this) {
                        if (publisher.getNumberOfSubscribers() == 0) {
                            cancel();
                            break;
                        }
                        publisher.submit(event);
                    }
                    publisher.close();
                } catch (RuntimeException e) {
                    publisher.closeExceptionally(e);
                }
            });
        };
    }

    /** Calls {@code onToken} with each piece of text as it arrives and returns the completion. */
    public Completion forEachToken(Consumer<String> onToken) {
        for (GenerationEvent event : this) {
            switch (event) {
                case GenerationEvent.Token t -> onToken.accept(t.text());
                case Completion c -> {
                    return c;
                }
            }
        }
        throw new IllegalStateException("generation ended without a completion");
    }

    /** Waits for the end and returns the completion, whether or not the events were consumed. */
    public Completion await() {
        try {
            return result.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }
}
