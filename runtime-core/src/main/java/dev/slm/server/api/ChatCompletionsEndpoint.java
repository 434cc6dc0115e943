package dev.slm.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.slm.engine.ChatMessage;
import dev.slm.engine.SamplingOptions;
import dev.slm.server.ApiException;
import dev.slm.server.backend.Backend;
import dev.slm.server.backend.ModelRouter;
import dev.slm.server.backend.Prompt;
import dev.slm.server.backend.TextRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code POST /v1/chat/completions}. */
final class ChatCompletionsEndpoint implements Endpoint {
    private final ModelRouter router;
    private final GenerationResponder responder;
    private final int maxTokens;
    private final Duration timeout;

    ChatCompletionsEndpoint(ModelRouter router, GenerationResponder responder, int maxTokens, Duration timeout) {
        this.router = router;
        this.responder = responder;
        this.maxTokens = maxTokens;
        this.timeout = timeout;
    }

    @Override
    public void handle(ApiExchange ex) throws IOException {
        long start = System.nanoTime();
        RequestFields f = new RequestFields(ex.readJsonObject());
        String model = f.requiredString("model");
        List<ChatMessage> messages = messages(f);
        f.unsupported("logprobs", "slm does not return log probabilities");
        f.unsupported("top_logprobs", "slm does not return log probabilities");
        boolean stream = f.bool("stream", false);
        RequestFields options = f.object("stream_options");
        boolean includeUsage = options != null && options.bool("include_usage", false);
        SamplingOptions sampling = SamplingRequest.parse(f, maxTokens);
        Backend backend = router.route(model);
        ex.note(model, null);
        responder.respond(ex, backend, new TextRequest(new Prompt.Chat(messages), sampling, Instant.now().plus(timeout)),
                stream, new CompletionFormat.Chat(model, stream && includeUsage), start);
    }

    /**
     * The conversation. System (and OpenAI's newer "developer") messages may only open it; several
     * are joined into one, since chat templates take a single system prompt.
     */
    private static List<ChatMessage> messages(RequestFields f) {
        ArrayNode array = f.array("messages");
        if (array == null) {
            throw new ApiException(400, "invalid_request_error", "missing_required_parameter", "messages", "'messages' is required");
        }
        if (array.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' is empty: send at least one message");
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
                        throw ApiException.invalid(m.param("role"), "a " + role + " message may only open the conversation (message "
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
                case "tool", "function" -> throw new ApiException(400, "invalid_request_error", "unsupported_parameter", m.param("role"),
                        "role '" + role + "' is not supported: slm serves plain chat, without tool calls");
                default -> throw ApiException.invalid(m.param("role"),
                        "'" + m.param("role") + "' must be system, developer, user or assistant, got '" + role + "'");
            }
        }
        if (messages.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' holds only system messages: add a user message");
        }
        return messages;
    }

    /** A string, or an array of text parts (what newer clients send); other part types are refused. */
    private static String content(RequestFields m) {
        JsonNode c = m.raw("content");
        if (c == null) {
            throw new ApiException(400, "invalid_request_error", "missing_required_parameter", m.param("content"),
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
                throw new ApiException(400, "invalid_request_error", "unsupported_parameter", part.param("type"),
                        "content parts of type '" + type + "' are not supported: slm models take text only");
            }
            text.append(part.requiredString("text"));
        }
        return text.toString();
    }
}
