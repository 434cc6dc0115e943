package dev.slm.routing.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.SlmException;
import dev.slm.engine.Completion;
import dev.slm.engine.Generation;
import dev.slm.engine.GenerationEvent;
import dev.slm.engine.Model;
import dev.slm.openai.ChunkStream;
import dev.slm.openai.CompletionFormat;
import dev.slm.openai.CompletionRequest;
import dev.slm.openai.OpenAiRequest;
import dev.slm.server.backend.Prompt;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Answers with models loaded in this JVM, in the OpenAI shape: hybrid routing for programs that use
 * the Java API instead of {@code slm serve}. It reads the request as {@link OpenAiRequest} parsed it
 * and writes the answer with {@link CompletionFormat}, as {@code slm serve} does, so a request is
 * accepted or refused the same way in process and over HTTP.
 *
 * <p>With a concurrency limit, a request that finds that many already running fails at once with
 * {@link LocalFailureException.Kind#QUEUE_FULL} instead of waiting (a route can escalate it).
 */
public final class InProcessAnswerer implements LocalAnswerer {
    private final Map<String, Model> models;
    private final Semaphore running;
    private final int limit;

    /** Without a concurrency limit: requests wait in llama.cpp's queue. */
    public InProcessAnswerer(Map<String, Model> models) {
        this(models, 0);
    }

    /** @param maxConcurrent requests answered at once; 0 = no limit. */
    public InProcessAnswerer(Map<String, Model> models, int maxConcurrent) {
        if (maxConcurrent < 0) {
            throw new IllegalArgumentException("the concurrency limit must be 0 (none) or more, got " + maxConcurrent);
        }
        this.models = Map.copyOf(models);
        this.limit = maxConcurrent;
        this.running = maxConcurrent == 0 ? null : new Semaphore(maxConcurrent);
    }

    @Override
    public ObjectNode complete(CompletionRequest request) {
        OpenAiRequest parsed = request.parsed();
        Model model = model(parsed.model());
        acquire(parsed.model());
        try {
            return parsed.format().whole(start(model, parsed).await());
        } catch (SlmException e) {
            throw asFailure(e);
        } finally {
            release();
        }
    }

    @Override
    public ChunkStream stream(CompletionRequest request) {
        OpenAiRequest parsed = request.parsed();
        Model model = model(parsed.model());
        acquire(parsed.model());
        try {
            return new GenerationChunks(parsed.format(), start(model, parsed));
        } catch (RuntimeException e) {
            release();
            throw e instanceof SlmException s ? asFailure(s) : e;
        }
    }

    @Override
    public OptionalInt countTokens(String model, String text) {
        Model m = models.get(model);
        return m == null || text.isEmpty() ? OptionalInt.empty() : OptionalInt.of(m.countTokens(text));
    }

    private Model model(String name) {
        Model model = models.get(name);
        if (model == null) {
            throw new LocalFailureException(LocalFailureException.Kind.MODEL_MISSING, "no local model '" + name
                    + "' is loaded (loaded: " + String.join(", ", models.keySet().stream().sorted().toList()) + ")");
        }
        return model;
    }

    private void acquire(String name) {
        if (running != null && !running.tryAcquire()) {
            throw new LocalFailureException(LocalFailureException.Kind.QUEUE_FULL, "local model '" + name
                    + "' is busy: " + limit + " request(s) running, the most it takes at once");
        }
    }

    private void release() {
        if (running != null) {
            running.release();
        }
    }

    private static LocalFailureException asFailure(SlmException e) {
        return e instanceof LocalFailureException f ? f
                : new LocalFailureException(LocalFailureException.Kind.ERROR, e.getMessage(), e);
    }

    private static Generation start(Model model, OpenAiRequest request) {
        try {
            return switch (request.prompt()) {
                case Prompt.Chat chat -> model.chat(chat.messages(), request.sampling());
                case Prompt.Text text -> model.generate(text.text(), request.sampling());
            };
        } catch (OutOfMemoryError e) {
            throw new LocalFailureException(LocalFailureException.Kind.OUT_OF_MEMORY,
                    "local model '" + request.model() + "' ran out of memory", e);
        }
    }

    /**
     * A generation as OpenAI chunks. The first chunk is written only once the model has produced its
     * first event, so a failure before that is still a failure before the first chunk.
     */
    private final class GenerationChunks implements ChunkStream {
        private final CompletionFormat format;
        private final Generation generation;
        private final Iterator<GenerationEvent> events;
        private final Deque<ObjectNode> pending = new ArrayDeque<>();
        private final AtomicBoolean released = new AtomicBoolean();
        private boolean first = true;
        private boolean ended;

        GenerationChunks(CompletionFormat format, Generation generation) {
            this.format = format;
            this.generation = generation;
            this.events = generation.iterator();
        }

        @Override
        public ObjectNode next() {
            while (pending.isEmpty() && !ended) {
                GenerationEvent event;
                try {
                    event = events.next();
                } catch (SlmException e) {
                    finish();
                    throw asFailure(e);
                }
                pending.addAll(format.chunks(event, first));
                first = false;
                if (event instanceof Completion) {
                    ended = true;
                    finish();
                }
            }
            return pending.poll();
        }

        private void finish() {
            if (released.compareAndSet(false, true)) {
                release();
            }
        }

        @Override
        public void close() {
            ended = true;
            pending.clear();
            generation.cancel();
            finish();
        }
    }
}
