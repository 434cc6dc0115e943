package dev.slm.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.engine.ChatMessage;
import dev.slm.engine.SamplingOptions;
import dev.slm.server.backend.Prompt;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated {@code /v1/chat/completions} or {@code /v1/completions} body: the model it names, what
 * to generate, and how the answer is to be written. The one reading of OpenAI's request format: the
 * HTTP server and the routing layer both parse with {@link #parse}, so a request valid in one is
 * valid in the other.
 *
 * @param stream       the client asked for Server-Sent Events
 * @param includeUsage the client asked for a usage chunk at the end of the stream
 */
public record OpenAiRequest(CompletionEndpoint endpoint, String model, Prompt prompt, SamplingOptions sampling,
                            boolean stream, boolean includeUsage) {

    /** No cap on {@code max_tokens}: generation runs to the end of text or of the context unless the client sets one. */
    public static final int NO_TOKEN_CAP = 0;

    public boolean chat() {
        return endpoint == CompletionEndpoint.CHAT_COMPLETIONS;
    }

    /** The writer of this request's answer: a chat or a text completion, with usage in the stream or not. */
    public CompletionFormat format() {
        boolean usageInChunks = stream && includeUsage;
        return chat() ? new CompletionFormat.Chat(model, usageInChunks) : new CompletionFormat.Text(model, usageInChunks);
    }

    /** The same request for another model (a route's local model). */
    public OpenAiRequest withModel(String newModel) {
        return new OpenAiRequest(endpoint, newModel, prompt, sampling, stream, includeUsage);
    }

    /** The same request, streamed, with a usage chunk at the end (so the router can count tokens). */
    public OpenAiRequest streamedWithUsage() {
        return new OpenAiRequest(endpoint, model, prompt, sampling, true, true);
    }

    /**
     * @param maxTokens the server's cap: larger requests are refused, and it is the default;
     *                  {@link #NO_TOKEN_CAP} for none
     * @throws InvalidRequestException naming the first field that is wrong
     */
    public static OpenAiRequest parse(CompletionEndpoint endpoint, ObjectNode body, int maxTokens) {
        boolean chat = endpoint == CompletionEndpoint.CHAT_COMPLETIONS;
        RequestFields f = new RequestFields(body);
        String model = f.requiredString("model");
        Prompt prompt;
        if (chat) {
            prompt = new Prompt.Chat(messages(f));
            f.unsupported("logprobs", "slm does not return log probabilities");
            f.unsupported("top_logprobs", "slm does not return log probabilities");
        } else {
            prompt = new Prompt.Text(prompt(f));
            f.unsupported("echo", "slm does not echo the prompt");
            f.unsupported("suffix", "slm does not fill in the middle");
            f.unsupported("logprobs", "slm does not return log probabilities");
        }
        boolean stream = f.bool("stream", false);
        RequestFields options = f.object("stream_options");
        boolean includeUsage = options != null && options.bool("include_usage", false);
        SamplingOptions sampling = SamplingRequest.parse(f, maxTokens);
        return new OpenAiRequest(endpoint, model, prompt, sampling, stream, includeUsage);
    }

    /**
     * The conversation. System (and OpenAI's newer "developer") messages may only open it; several
     * are joined into one, since chat templates take a single system prompt.
     */
    private static List<ChatMessage> messages(RequestFields f) {
        ArrayNode array = f.array("messages");
        if (array == null) {
            throw InvalidRequestException.missing("messages", "'messages' is required");
        }
        if (array.isEmpty()) {
            throw InvalidRequestException.invalid("messages", "'messages' is empty: send at least one message");
        }
        List<ChatMessage> messages = new ArrayList<>();
        StringBuilder system = null;
        for (int i = 0; i < array.size(); i++) {
            RequestFields m = f.element("messages", array, i);
            String role = m.requiredString("role");
            String content = content(m);
            switch (role) {
                case "system", "developer" -> {
                    if (!messages.isEmpty()) {
                        throw InvalidRequestException.invalid(m.param("role"), "a " + role + " message may only open the conversation (message "
                                + i + " comes after other messages)");
                    }
                    system = system == null ? new StringBuilder(content) : system.append("\n\n").append(content);
                }
                case "user", "assistant" -> {
                    if (system != null && messages.isEmpty()) {
                        messages.add(ChatMessage.system(system.toString()));
                    }
                    messages.add(role.equals("user") ? ChatMessage.user(content) : ChatMessage.assistant(content));
                }
                case "tool", "function" -> throw InvalidRequestException.unsupported(m.param("role"),
                        "role '" + role + "' is not supported: slm serves plain chat, without tool calls");
                default -> throw InvalidRequestException.invalid(m.param("role"),
                        "'" + m.param("role") + "' must be system, developer, user or assistant, got '" + role + "'");
            }
        }
        if (messages.isEmpty()) {
            throw InvalidRequestException.invalid("messages", "'messages' holds only system messages: add a user message");
        }
        return messages;
    }

    /** A string, or an array of text parts (what newer clients send); other part types are refused. */
    private static String content(RequestFields m) {
        JsonNode c = m.raw("content");
        if (c == null) {
            throw InvalidRequestException.missing(m.param("content"),
                    "'" + m.param("content") + "' is required");
        }
        if (c.isTextual()) {
            return c.textValue();
        }
        ArrayNode parts = m.array("content");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            RequestFields part = m.element("content", parts, i);
            String type = part.requiredString("type");
            if (!type.equals("text")) {
                throw InvalidRequestException.unsupported(part.param("type"),
                        "content parts of type '" + type + "' are not supported: slm models take text only");
            }
            text.append(part.requiredString("text"));
        }
        return text.toString();
    }

    /** A string, or an array holding exactly one string; token arrays and batches are refused. */
    private static String prompt(RequestFields f) {
        JsonNode p = f.raw("prompt");
        if (p == null) {
            throw InvalidRequestException.missing("prompt", "'prompt' is required");
        }
        String text;
        if (p.isTextual()) {
            text = p.textValue();
        } else if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
            text = p.get(0).textValue();
        } else if (p.isArray()) {
            throw InvalidRequestException.unsupported("prompt",
                    "'prompt' must be a string (or an array of one string): batches and token arrays are not supported");
        } else {
            throw InvalidRequestException.invalid("prompt", "'prompt' must be a string, got " + RequestFields.kind(p));
        }
        if (text.isBlank()) {
            throw InvalidRequestException.invalid("prompt", "'prompt' is empty: give the model some text to continue");
        }
        return text;
    }
}
