package dev.slm.openai;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.engine.Completion;
import dev.slm.engine.GenerationEvent;
import dev.slm.engine.StopReason;
import dev.slm.engine.Usage;
import java.util.ArrayList;
import java.util.List;

/**
 * How a generation is written out: as a chat completion or a text completion, whole or as stream
 * chunks. The two differ only in field names; the HTTP layer and the in-process answerer write them out.
 */
public abstract sealed class CompletionFormat {
    final String id;
    final long created;
    final String model;
    private final boolean usageInChunks;

    CompletionFormat(String id, String model, boolean usageInChunks) {
        this.id = id;
        this.created = System.currentTimeMillis() / 1000;
        this.model = model;
        this.usageInChunks = usageInChunks;
    }

    /** Whether the stream ends with a chunk that carries only usage (the client asked for it). */
    public boolean usageInChunks() {
        return usageInChunks;
    }

    /** The first chunk of a stream, or null when the format has none. */
    public abstract ObjectNode opening();

    /** A chunk carrying {@code text}, or the last one when {@code finishReason} is set. */
    public abstract ObjectNode chunk(String text, String finishReason);

    public abstract ObjectNode whole(String text, String finishReason, Usage usage);

    /**
     * The chunks one event of a generation becomes, in order: the opening before the first event (if
     * the format has one), a chunk of text per token, and at the end the last chunk, then the usage
     * chunk when the client asked for it.
     */
    public List<ObjectNode> chunks(GenerationEvent event, boolean first) {
        List<ObjectNode> chunks = new ArrayList<>(3);
        if (first && opening() != null) {
            chunks.add(opening());
        }
        switch (event) {
            case GenerationEvent.Token t -> chunks.add(chunk(t.text(), null));
            case Completion c -> {
                chunks.add(chunk(null, finishReason(c.stopReason())));
                if (usageInChunks) {
                    chunks.add(usageChunk(c.usage()));
                }
            }
        }
        return chunks;
    }

    /** The whole answer of a finished generation ({@code chat.completion} or {@code text_completion}). */
    public ObjectNode whole(Completion c) {
        return whole(c.text(), finishReason(c.stopReason()), c.usage());
    }

    /** The chunk after the last one when the client asked for usage: no choices, just usage. */
    public ObjectNode usageChunk(Usage usage) {
        ObjectNode c = header(chunkObject());
        c.putArray("choices");
        c.set("usage", usage(usage));
        return c;
    }

    abstract String chunkObject();

    ObjectNode header(String object) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", id);
        n.put("object", object);
        n.put("created", created);
        n.put("model", model);
        n.putNull("system_fingerprint");
        return n;
    }

    /** Adds {@code "choices": [{"index": 0}]} and returns that one choice. */
    private static ObjectNode onlyChoice(ObjectNode body) {
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        return choice;
    }

    /** The end of a choice: no log probabilities, and why it ended (null while it goes on). */
    private static void finish(ObjectNode choice, String finishReason) {
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
    }

    void nullUsage(ObjectNode chunk) {
        if (usageInChunks) {
            chunk.putNull("usage");
        }
    }

    public static ObjectNode usage(Usage u) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("prompt_tokens", u.promptTokens());
        n.put("completion_tokens", u.completionTokens());
        n.put("total_tokens", u.totalTokens());
        return n;
    }

    public static String finishReason(StopReason reason) {
        return reason == StopReason.LENGTH ? "length" : "stop";
    }

    /** {@code /v1/chat/completions}: {@code chat.completion} and {@code chat.completion.chunk} objects. */
    public static final class Chat extends CompletionFormat {
        public Chat(String model, boolean usageInChunks) {
            super("chatcmpl-" + Ids.random(), model, usageInChunks);
        }

        @Override
        String chunkObject() {
            return "chat.completion.chunk";
        }

        @Override
        public ObjectNode opening() {
            ObjectNode c = header(chunkObject());
            ObjectNode choice = onlyChoice(c);
            choice.putObject("delta").put("role", "assistant").put("content", "");
            finish(choice, null);
            nullUsage(c);
            return c;
        }

        @Override
        public ObjectNode chunk(String text, String finishReason) {
            ObjectNode c = header(chunkObject());
            ObjectNode choice = onlyChoice(c);
            ObjectNode delta = choice.putObject("delta");
            if (text != null) {
                delta.put("content", text);
            }
            finish(choice, finishReason);
            nullUsage(c);
            return c;
        }

        @Override
        public ObjectNode whole(String text, String finishReason, Usage usage) {
            ObjectNode c = header("chat.completion");
            ObjectNode choice = onlyChoice(c);
            choice.putObject("message").put("role", "assistant").put("content", text).putNull("refusal");
            finish(choice, finishReason);
            c.set("usage", usage(usage));
            return c;
        }
    }

    /** {@code /v1/completions}: {@code text_completion} objects, whole and as chunks. */
    public static final class Text extends CompletionFormat {
        public Text(String model, boolean usageInChunks) {
            super("cmpl-" + Ids.random(), model, usageInChunks);
        }

        @Override
        String chunkObject() {
            return "text_completion";
        }

        @Override
        public ObjectNode opening() {
            return null;
        }

        @Override
        public ObjectNode chunk(String text, String finishReason) {
            ObjectNode c = header(chunkObject());
            finish(onlyChoice(c).put("text", text == null ? "" : text), finishReason);
            nullUsage(c);
            return c;
        }

        @Override
        public ObjectNode whole(String text, String finishReason, Usage usage) {
            ObjectNode c = header("text_completion");
            finish(onlyChoice(c).put("text", text), finishReason);
            c.set("usage", usage(usage));
            return c;
        }
    }
}
