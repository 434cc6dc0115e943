package dev.slm.server.backend;

import dev.slm.engine.ChatMessage;
import java.util.List;

/** What a model is asked to continue: raw text ({@code /v1/completions}) or a conversation ({@code /v1/chat/completions}). */
public sealed interface Prompt {

    record Text(String text) implements Prompt {
    }

    record Chat(List<ChatMessage> messages) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
        }
    }
}
