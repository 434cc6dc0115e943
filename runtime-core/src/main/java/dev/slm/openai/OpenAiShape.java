package dev.slm.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where the text sits in OpenAI-compatible requests, answers and stream chunks: the one place that
 * knows the wire format's field names, so that routing, redaction and accounting do not each
 * re-learn them.
 *
 * <p>Text the client wrote: {@code messages[].content} (a string, or an array of parts whose
 * {@code text} parts count) for chat, {@code prompt} (a string or an array of strings) for
 * completions. Text of an answer: {@code choices[].message.content} / {@code choices[].text}; of a
 * chunk: {@code choices[].delta.content} / {@code choices[].text}.
 */
public final class OpenAiShape {
    /** The field of {@code usage} that says where an answer was produced. */
    public static final String USAGE_ROUTE_FIELD = "slm_route";
    /** Characters per token assumed when an answerer reports no usage (English averages about 4). */
    public static final int CHARS_PER_TOKEN_ESTIMATE = 4;

    private OpenAiShape() {
    }

    /** Rewrites with {@code text -> text}: how a choice's piece of text is changed in place. */
    @FunctionalInterface
    public interface ChoiceTextRewriter {
        String rewrite(int choiceIndex, String text);
    }

    /** The request's text, one part a line. */
    public static String requestText(CompletionEndpoint endpoint, JsonNode body) {
        List<String> parts = new ArrayList<>();
        visitRequestText(endpoint, body, text -> {
            parts.add(text);
            return text;
        });
        return String.join("\n", parts);
    }

    /** Replaces every piece of text the client wrote with {@code rewrite(piece)}, in place. */
    public static void rewriteRequestText(CompletionEndpoint endpoint, ObjectNode body, UnaryOperator<String> rewrite) {
        visitRequestText(endpoint, body, rewrite);
    }

    private static void visitRequestText(CompletionEndpoint endpoint, JsonNode body, UnaryOperator<String> visit) {
        switch (endpoint) {
            case CHAT_COMPLETIONS -> {
                for (JsonNode message : body.path("messages")) {
                    if (message instanceof ObjectNode m) {
                        rewriteTextOrParts(m, "content", visit);
                    }
                }
            }
            case COMPLETIONS -> {
                JsonNode prompt = body.path("prompt");
                if (prompt.isTextual()) {
                    ((ObjectNode) body).put("prompt", visit.apply(prompt.asText()));
                } else if (prompt instanceof ArrayNode array) {
                    for (int i = 0; i < array.size(); i++) {
                        if (array.get(i).isTextual()) {
                            array.set(i, TextNode.valueOf(visit.apply(array.get(i).asText())));
                        }
                    }
                }
            }
        }
    }

    private static void rewriteTextOrParts(ObjectNode holder, String field, UnaryOperator<String> visit) {
        JsonNode content = holder.path(field);
        if (content.isTextual()) {
            holder.put(field, visit.apply(content.asText()));
        } else if (content.isArray()) {
            for (JsonNode part : content) {
                if (part instanceof ObjectNode p && p.path("text").isTextual()) {
                    p.put("text", visit.apply(p.get("text").asText()));
                }
            }
        }
    }

    /** A message's content as text: the string, or its text parts one a line. */
    public static String contentText(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode part : content) {
            if (part.path("text").isTextual()) {
                parts.add(part.get("text").asText());
            }
        }
        return String.join("\n", parts);
    }

    /** Whether {@code answer} looks like a completion at all: an object with a {@code choices} array. */
    public static boolean isCompletion(JsonNode answer) {
        return answer != null && answer.isObject() && answer.path("choices").isArray();
    }

    /** The first choice's text ("" when there is none). */
    public static String answerText(JsonNode answer) {
        JsonNode choice = answer.path("choices").path(0);
        JsonNode text = choice.has("message") ? choice.path("message").path("content") : choice.path("text");
        return text.isTextual() ? text.asText() : "";
    }

    /** Replaces the text of every choice of a whole answer, in place. */
    public static void rewriteAnswerText(ObjectNode answer, UnaryOperator<String> rewrite) {
        for (JsonNode choice : answer.path("choices")) {
            if (choice instanceof ObjectNode c) {
                if (c.path("message") instanceof ObjectNode message) {
                    rewriteTextOrParts(message, "content", rewrite);
                } else if (c.path("text").isTextual()) {
                    c.put("text", rewrite.apply(c.get("text").asText()));
                }
            }
        }
    }

    /** Replaces the piece of text each choice of a stream chunk carries, in place. */
    public static void rewriteChunkText(ObjectNode chunk, ChoiceTextRewriter rewrite) {
        for (JsonNode choice : chunk.path("choices")) {
            if (choice instanceof ObjectNode c) {
                int index = c.path("index").asInt(0);
                if (c.path("delta") instanceof ObjectNode delta) {
                    if (delta.path("content").isTextual()) {
                        delta.put("content", rewrite.rewrite(index, delta.get("content").asText()));
                    }
                } else if (c.path("text").isTextual()) {
                    c.put("text", rewrite.rewrite(index, c.get("text").asText()));
                }
            }
        }
    }

    /** The text all choices of a chunk carry. */
    public static String chunkText(JsonNode chunk) {
        StringBuilder text = new StringBuilder();
        for (JsonNode choice : chunk.path("choices")) {
            JsonNode piece = choice.has("delta") ? choice.path("delta").path("content") : choice.path("text");
            if (piece.isTextual()) {
                text.append(piece.asText());
            }
        }
        return text.toString();
    }

    /** Indexes of the choices this chunk ends (those with a {@code finish_reason}). */
    public static List<Integer> finishedChoices(JsonNode chunk) {
        List<Integer> finished = new ArrayList<>();
        for (JsonNode choice : chunk.path("choices")) {
            if (choice.hasNonNull("finish_reason")) {
                finished.add(choice.path("index").asInt(0));
            }
        }
        return finished;
    }

    /** Adds a piece of text to choice {@code index} of a chunk, at the end of what it carries. */
    public static void appendChunkText(ObjectNode chunk, int index, String text) {
        for (JsonNode choice : chunk.path("choices")) {
            if (choice instanceof ObjectNode c && c.path("index").asInt(0) == index) {
                if (c.path("delta") instanceof ObjectNode delta) {
                    delta.put("content", delta.path("content").asText("") + text);
                } else {
                    c.put("text", c.path("text").asText("") + text);
                }
                return;
            }
        }
    }

    /**
     * A chunk shaped like {@code template} (same id, object, model) that carries only {@code text}
     * for choice {@code index}: for text held back until the end of a stream.
     */
    public static ObjectNode textChunk(ObjectNode template, int index, String text) {
        ObjectNode chunk = template.deepCopy();
        chunk.remove("usage");
        ArrayNode choices = chunk.putArray("choices");
        ObjectNode choice = choices.addObject().put("index", index);
        boolean chat = template.path("object").asText().startsWith("chat.")
                || template.path("choices").path(0).has("delta");
        if (chat) {
            choice.putObject("delta").put("content", text);
        } else {
            choice.put("text", text);
        }
        choice.putNull("finish_reason");
        return chunk;
    }

    /** The usage an answer or chunk reports, if it reports one. */
    public static Optional<TokenUsage> usage(JsonNode answerOrChunk) {
        JsonNode usage = answerOrChunk.path("usage");
        if (!usage.path("prompt_tokens").canConvertToLong() && !usage.path("completion_tokens").canConvertToLong()) {
            return Optional.empty();
        }
        return Optional.of(new TokenUsage(usage.path("prompt_tokens").asLong(0),
                usage.path("completion_tokens").asLong(0), false));
    }

    /** Tokens a text is assumed to hold when nobody counted them: {@link #CHARS_PER_TOKEN_ESTIMATE} characters each. */
    public static long estimateTokens(String text) {
        return estimateTokens(text.length());
    }

    /** Tokens {@code chars} characters are assumed to hold. */
    public static long estimateTokens(long chars) {
        return (chars + CHARS_PER_TOKEN_ESTIMATE - 1) / CHARS_PER_TOKEN_ESTIMATE;
    }

    /** Records in {@code usage.slm_route} where the answer was produced (adds {@code usage} if missing). */
    public static void labelRoute(ObjectNode answerOrChunk, String route) {
        JsonNode usage = answerOrChunk.path("usage");
        ObjectNode target = usage instanceof ObjectNode u ? u : answerOrChunk.putObject("usage");
        target.put(USAGE_ROUTE_FIELD, route);
    }

    /** Whether a stream chunk only carries usage ({@code stream_options.include_usage}'s last chunk). */
    public static boolean isUsageOnlyChunk(JsonNode chunk) {
        return chunk.path("choices").isEmpty() && chunk.path("usage").isObject();
    }

    /** Whether the client asked for usage in its stream. */
    public static boolean asksForStreamUsage(JsonNode body) {
        return body.path("stream_options").path("include_usage").asBoolean(false);
    }

    /** Asks for usage at the end of a stream, so that the tokens can be counted. */
    public static void requestStreamUsage(ObjectNode body) {
        JsonNode options = body.path("stream_options");
        ObjectNode target = options instanceof ObjectNode o ? o : body.putObject("stream_options");
        target.put("include_usage", true);
    }
}
