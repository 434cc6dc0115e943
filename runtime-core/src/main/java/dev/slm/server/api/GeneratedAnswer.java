package dev.slm.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.engine.Completion;
import dev.slm.engine.GenerationEvent;
import dev.slm.openai.CompletionFormat;
import dev.slm.server.backend.TextStream;
import dev.slm.server.metrics.ServerMetrics;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A backend's generation written as an OpenAI answer: chunk by chunk ({@link AnswerChunks}) or
 * whole ({@link #whole()}). Counts what it produced in the metrics.
 */
final class GeneratedAnswer implements AnswerChunks {
    private final TextStream events;
    private final CompletionFormat format;
    private final String model;
    private final ServerMetrics metrics;
    private final long startNanos;
    private final Deque<ObjectNode> pending = new ArrayDeque<>();
    private boolean started;
    private boolean tokenSeen;
    private boolean ended;
    private Completion completion;

    GeneratedAnswer(TextStream events, CompletionFormat format, String model, ServerMetrics metrics, long startNanos) {
        this.events = events;
        this.format = format;
        this.model = model;
        this.metrics = metrics;
        this.startNanos = startNanos;
    }

    /**
     * The next chunk. The first call waits for the model's first event, so a request the model
     * rejects fails here, before anything has been written to the client.
     */
    @Override
    public ObjectNode next() {
        while (pending.isEmpty() && !ended) {
            GenerationEvent event = take();
            pending.addAll(format.chunks(event, !started));
            started = true;
            ended = event instanceof Completion;
        }
        return pending.poll();
    }

    /** Waits for the end and returns the whole answer ({@code chat.completion} or {@code text_completion}). */
    ObjectNode whole() {
        while (!ended) {
            if (take() instanceof Completion) {
                ended = true;
            }
        }
        return format.whole(completion);
    }

    /** The completion, once the answer has ended. */
    Completion completion() {
        return completion;
    }

    private GenerationEvent take() {
        GenerationEvent event = events.next();
        if (event instanceof GenerationEvent.Token && !tokenSeen) {
            tokenSeen = true;
            metrics.timeToFirstToken.observe((System.nanoTime() - startNanos) / 1e9, model);
        }
        if (event instanceof Completion c) {
            completion = c;
            metrics.promptTokens.add(c.usage().promptTokens(), model);
            metrics.completionTokens.add(c.usage().completionTokens(), model);
            if (c.usage().completionTokens() > 1) {
                metrics.tokensPerSecond.observe(c.timings().tokensPerSecond(), model);
            }
        }
        return event;
    }

    @Override
    public void cancel() {
        events.cancel();
    }

    @Override
    public void close() {
        events.close();
    }
}
