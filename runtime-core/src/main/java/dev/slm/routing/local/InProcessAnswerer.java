package dev.slm.routing.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.SlmException;
import dev.slm.engine.ChatMessage;
import dev.slm.engine.Completion;
import dev.slm.engine.Generation;
import dev.slm.engine.GenerationEvent;
import dev.slm.engine.Model;
import dev.slm.engine.SamplingOptions;
import dev.slm.engine.StopReason;
import dev.slm.routing.openai.ChunkStream;
import dev.slm.routing.openai.CompletionRequest;
import dev.slm.routing.openai.Endpoint;
import dev.slm.routing.openai.OpenAiShape;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Answers with models loaded in this JVM, in the OpenAI shape: hybrid routing for programs that use
 * the Java API instead of {@code slm serve}.
 *
 * <p>With a concurrency limit, a request that finds that many already running fails at once with
 * {@link LocalFailureException.Kind#QUEUE_FULL} instead of waiting (a route can escalate it).
 */
public final class InProcessAnswerer implements LocalAnswerer {
    private static final ObjectMapper JSON = new ObjectMapper();

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
        Model model = model(request.model());
        acquire(request.model());
        try {
            Completion c = start(model, request).await();
            ObjectNode answer = envelope(request, false);
            ObjectNode choice = answer.putArray("choices").addObject().put("index", 0);
            if (request.endpoint() == Endpoint.CHAT_COMPLETIONS) {
                choice.putObject("message").put("role", "assistant").put("content", c.text());
            } else {
                choice.put("text", c.text());
            }
            choice.put("finish_reason", finishReason(c.stopReason()));
            putUsage(answer, c);
            return answer;
        } catch (SlmException e) {
            throw asFailure(request.model(), e);
        } finally {
            release();
        }
    }

    @Override
    public ChunkStream stream(CompletionRequest request) {
        Model model = model(request.model());
        acquire(request.model());
        try {
            return new GenerationChunks(request, start(model, request));
        } catch (RuntimeException e) {
            release();
            throw e instanceof SlmException s ? asFailure(request.model(), s) : e;
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

    private static LocalFailureException asFailure(String model, SlmException e) {
        return e instanceof LocalFailureException f ? f
                : new LocalFailureException(LocalFailureException.Kind.ERROR, e.getMessage(), e);
    }

    private static Generation start(Model model, CompletionRequest request) {
        SamplingOptions sampling = sampling(request.body());
        try {
            return switch (request.endpoint()) {
                case CHAT_COMPLETIONS -> model.chat(messages(request.body()), sampling);
                case COMPLETIONS -> model.generate(request.text(), sampling);
            };
        } catch (OutOfMemoryError e) {
            throw new LocalFailureException(LocalFailureException.Kind.OUT_OF_MEMORY,
                    "local model '" + request.model() + "' ran out of memory", e);
        }
    }

    /** The OpenAI sampling fields this engine knows; others are ignored, as llama.cpp's server does. */
    static SamplingOptions sampling(JsonNode body) {
        SamplingOptions s = SamplingOptions.defaults();
        if (body.path("temperature").isNumber()) {
            s = s.withTemperature(body.get("temperature").floatValue());
        }
        if (body.path("top_p").isNumber()) {
            s = s.withTopP(body.get("top_p").floatValue());
        }
        if (body.path("top_k").isNumber()) {
            s = s.withTopK(body.get("top_k").intValue());
        }
        if (body.path("min_p").isNumber()) {
            s = s.withMinP(body.get("min_p").floatValue());
        }
        if (body.path("repeat_penalty").isNumber()) {
            s = s.withRepeatPenalty(body.get("repeat_penalty").floatValue());
        }
        if (body.path("seed").isIntegralNumber()) {
            s = s.withSeed(body.get("seed").longValue());
        }
        JsonNode max = body.hasNonNull("max_completion_tokens") ? body.get("max_completion_tokens") : body.path("max_tokens");
        if (max.isIntegralNumber()) {
            s = s.withMaxTokens(max.intValue());
        }
        JsonNode stop = body.path("stop");
        if (stop.isTextual()) {
            s = s.withStop(List.of(stop.asText()));
        } else if (stop.isArray()) {
            List<String> stops = new ArrayList<>();
            stop.forEach(x -> stops.add(x.asText()));
            s = s.withStop(stops);
        }
        return s;
    }

    static List<ChatMessage> messages(JsonNode body) {
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode m : body.path("messages")) {
            String role = m.path("role").asText("");
            ChatMessage.Role r = switch (role) {
                case "system", "developer" -> ChatMessage.Role.SYSTEM;
                case "user" -> ChatMessage.Role.USER;
                case "assistant" -> ChatMessage.Role.ASSISTANT;
                default -> throw new IllegalArgumentException("message role '" + role
                        + "' is not supported: use system, user or assistant");
            };
            messages.add(new ChatMessage(r, OpenAiShape.contentText(m.path("content"))));
        }
        return messages;
    }

    private static ObjectNode envelope(CompletionRequest request, boolean chunk) {
        boolean chat = request.endpoint() == Endpoint.CHAT_COMPLETIONS;
        ObjectNode answer = JSON.createObjectNode();
        answer.put("id", (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", ""));
        answer.put("object", chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion");
        answer.put("created", Instant.now().getEpochSecond());
        answer.put("model", request.model());
        return answer;
    }

    private static void putUsage(ObjectNode answer, Completion c) {
        answer.putObject("usage")
                .put("prompt_tokens", c.usage().promptTokens())
                .put("completion_tokens", c.usage().completionTokens())
                .put("total_tokens", c.usage().totalTokens());
    }

    private static String finishReason(StopReason reason) {
        return reason == StopReason.LENGTH ? "length" : "stop";
    }

    /**
     * A generation as OpenAI chunks. The first chunk carries the first token (and the assistant role),
     * so it exists only once the model has produced something: a failure before that is still a
     * failure before the first chunk.
     */
    private final class GenerationChunks implements ChunkStream {
        private final CompletionRequest request;
        private final Generation generation;
        private final Iterator<GenerationEvent> events;
        private final ObjectNode template;
        private final boolean chat;
        private final AtomicBoolean released = new AtomicBoolean();
        private boolean first = true;
        private Completion completion;
        private boolean ended;

        GenerationChunks(CompletionRequest request, Generation generation) {
            this.request = request;
            this.generation = generation;
            this.events = generation.iterator();
            this.template = envelope(request, true);
            this.chat = request.endpoint() == Endpoint.CHAT_COMPLETIONS;
        }

        @Override
        public ObjectNode next() {
            if (ended) {
                return null;
            }
            if (completion != null) {
                ended = true;
                if (OpenAiShape.asksForStreamUsage(request.body())) {
                    ObjectNode usage = template.deepCopy();
                    usage.putArray("choices");
                    putUsage(usage, completion);
                    return usage;
                }
                return null;
            }
            GenerationEvent event;
            try {
                event = events.next();
            } catch (SlmException e) {
                finish();
                throw asFailure(request.model(), e);
            }
            return switch (event) {
                case GenerationEvent.Token t -> piece(t.text(), null);
                case Completion c -> {
                    completion = c;
                    finish();
                    yield piece("", finishReason(c.stopReason()));
                }
            };
        }

        private ObjectNode piece(String text, String finishReason) {
            ObjectNode chunk = template.deepCopy();
            ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
            if (chat) {
                ObjectNode delta = choice.putObject("delta");
                if (first) {
                    delta.put("role", "assistant");
                }
                if (!text.isEmpty() || finishReason == null) {
                    delta.put("content", text);
                }
            } else {
                choice.put("text", text);
            }
            first = false;
            if (finishReason == null) {
                choice.putNull("finish_reason");
            } else {
                choice.put("finish_reason", finishReason);
            }
            return chunk;
        }

        private void finish() {
            if (released.compareAndSet(false, true)) {
                release();
            }
        }

        @Override
        public void close() {
            ended = true;
            generation.cancel();
            finish();
        }
    }
}
