package dev.slm.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * A multi-turn conversation. Each turn sends the whole history, rendered with the model's template;
 * llama.cpp keeps the previous turns in its KV cache (prompt caching) and only processes what is new.
 * One turn at a time: a session is not for concurrent use.
 */
public final class ChatSession {
    private final Model model;
    private final String systemPrompt;
    private final List<ChatMessage> history = new ArrayList<>();

    ChatSession(Model model, String systemPrompt) {
        this.model = model;
        this.systemPrompt = systemPrompt;
        reset();
    }

    /**
     * Sends a user message. When the answer completes it joins the history; a cancelled answer is
     * dropped together with the message that asked for it, as if the turn never happened.
     */
    public synchronized Generation send(String userMessage, SamplingOptions sampling) {
        List<ChatMessage> turn = new ArrayList<>(history);
        turn.add(ChatMessage.user(userMessage));
        Generation generation = model.chat(turn, sampling);
        generation.onComplete(c -> {
            if (c.stopReason() != StopReason.CANCELLED) {
                synchronized (this) {
                    history.add(ChatMessage.user(userMessage));
                    history.add(ChatMessage.assistant(c.text()));
                }
            }
        });
        return generation;
    }

    /** Forgets every turn; the system prompt stays. */
    public synchronized void reset() {
        history.clear();
        if (systemPrompt != null && !systemPrompt.isBlank()) {
            history.add(ChatMessage.system(systemPrompt));
        }
    }

    public synchronized List<ChatMessage> history() {
        return List.copyOf(history);
    }
}
