package dev.slm.engine;

import java.util.List;

/**
 * One turn of a conversation: its text and, in a user message to a model opened with a vision
 * projector ({@link ModelOptions#projector()}), images. The images come before the text in the
 * prompt, as Ollama and llama.cpp's own tools place them.
 */
public record ChatMessage(Role role, String content, List<ChatImage> images) {
    public enum Role { SYSTEM, USER, ASSISTANT }

    public ChatMessage {
        if (role == null || content == null || images == null) {
            throw new IllegalArgumentException("a chat message needs a role and content");
        }
        images = List.copyOf(images);
        if (!images.isEmpty() && role != Role.USER) {
            throw new IllegalArgumentException("only user messages carry images");
        }
    }

    public ChatMessage(Role role, String content) {
        this(role, content, List.of());
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    /** A user message with images. */
    public static ChatMessage user(String content, List<ChatImage> images) {
        return new ChatMessage(Role.USER, content, images);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }

    public boolean hasImages() {
        return !images.isEmpty();
    }
}
