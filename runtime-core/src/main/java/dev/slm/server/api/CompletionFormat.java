package dev.slm.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.engine.StopReason;
import dev.slm.engine.Usage;

/**
 * How a generation is written out: as a chat completion or a text completion, whole or as stream
 * chunks. The two differ only in field names; {@link GenerationResponder} does the rest.
 */
abstract sealed class CompletionFormat {
    final String id;
    final long created;
    final String model;
    final boolean usageInChunks;

    CompletionFormat(String id, String model, boolean usageInChunks) {
        this.id = id;
        this.created = System.currentTimeMillis() / 1000;
        this.model = model;
        this.usageInChunks = usageInChunks;
    }

    /** The first chunk of a stream, or null when the format has none. */
    abstract ObjectNode opening();

    /** A chunk carrying {@code text}, or the last one when {@code finishReason} is set. */
    abstract ObjectNode chunk(String text, String finishReason);

    abstract ObjectNode whole(String text, String finishReason, Usage usage);

    /** The chunk after the last one when the client asked for usage: no choices, just usage. */
    ObjectNode usageChunk(Usage usage) {
        ObjectNode c = header(chunkObject());
        c.putArray("choices");
        c.set("usage", usage(usage));
        return c;
    }

    abstract String chunkObject();

    ObjectNode header(String object) {
        ObjectNode n = ApiExchange.JSON.createObjectNode();
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

    static ObjectNode usage(Usage u) {
        ObjectNode n = ApiExchange.JSON.createObjectNode();
        n.put("prompt_tokens", u.promptTokens());
        n.put("completion_tokens", u.completionTokens());
        n.put("total_tokens", u.totalTokens());
        return n;
    }

    static String finishReason(StopReason reason) {
        return reason == StopReason.LENGTH ? "length" : "stop";
    }

    /** {@code /v1/chat/completions}: {@code chat.completion} and {@code chat.completion.chunk} objects. */
    static final class Chat extends CompletionFormat {
        Chat(String model, boolean usageInChunks) {
            super("chatcmpl-" + Ids.random(), model, usageInChunks);
        }

        @Override
        String chunkObject() {
            return "chat.completion.chunk";
        }

        @Override
        ObjectNode opening() {
            ObjectNode c = header(chunkObject());
            ObjectNode choice = onlyChoice(c);
            choice.putObject("delta").put("role", "assistant").put("content", "");
            finish(choice, null);
            nullUsage(c);
            return c;
        }

        @Override
        ObjectNode chunk(String text, String finishReason) {
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
        ObjectNode whole(String text, String finishReason, Usage usage) {
            ObjectNode c = header("chat.completion");
            ObjectNode choice = onlyChoice(c);
            choice.putObject("message").put("role", "assistant").put("content", text).putNull("refusal");
            finish(choice, finishReason);
            c.set("usage", usage(usage));
            return c;
        }
    }

    /** {@code /v1/completions}: {@code text_completion} objects, whole and as chunks. */
    static final class Text extends CompletionFormat {
        Text(String model, boolean usageInChunks) {
            super("cmpl-" + Ids.random(), model, usageInChunks);
        }

        @Override
        String chunkObject() {
            return "text_completion";
        }

        @Override
        ObjectNode opening() {
            return null;
        }

        @Override
        ObjectNode chunk(String text, String finishReason) {
            ObjectNode c = header(chunkObject());
            finish(onlyChoice(c).put("text", text == null ? "" : text), finishReason);
            nullUsage(c);
            return c;
        }

        @Override
        ObjectNode whole(String text, String finishReason, Usage usage) {
            ObjectNode c = header("text_completion");
            finish(onlyChoice(c).put("text", text), finishReason);
            c.set("usage", usage(usage));
            return c;
        }
    }
}
