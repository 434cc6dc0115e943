package dev.slm.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A multi-turn conversation. Each turn sends the whole history, rendered with the model's template;
 * llama.cpp keeps the previous turns in its KV cache (prompt caching) and only processes what is new.
 * One turn at a time: a session is not for concurrent use.
 *
 * <p>When the history outgrows the context, the oldest turns are dropped (the system prompt stays)
 * and the {@link #onContextShift listener} is told; with context shift off, the turn fails with a
 * {@link ContextOverflowException} instead, and the history is left as it was.
 */
public final class ChatSession {
    private final Model model;
    private final List<ChatMessage> history = new ArrayList<>();
    private String systemPrompt;
    private boolean contextShift = true;
    private Consumer<ContextShift> shiftListener = shift -> { };

    /** Turns dropped to make a new turn fit the context. */
    public record ContextShift(int droppedTurns, int promptTokens, int contextSize) {
    }

    ChatSession(Model model, String systemPrompt) {
        this.model = model;
        this.systemPrompt = systemPrompt;
        reset();
    }

    /** Whether old turns are dropped when the history outgrows the context (default: yes). */
    public synchronized ChatSession withContextShift(boolean enabled) {
        this.contextShift = enabled;
        return this;
    }

    /** Called, before the answer starts, each time old turns are dropped. */
    public synchronized ChatSession onContextShift(Consumer<ContextShift> listener) {
        this.shiftListener = listener;
        return this;
    }

    /**
     * Sends a user message. When the answer completes it joins the history; a cancelled answer is
     * dropped together with the message that asked for it, as if the turn never happened.
     *
     * @throws ContextOverflowException with context shift off, when the history and the message
     *                                  leave no room for an answer
     */
    public synchronized Generation send(String userMessage, SamplingOptions sampling) {
        return send(ChatMessage.user(userMessage), sampling);
    }

    /**
     * Sends a user message, which may carry images (the model needs a vision projector); the images
     * stay in the history, so later turns can ask about them too.
     */
    public synchronized Generation send(ChatMessage userMessage, SamplingOptions sampling) {
        if (userMessage.role() != ChatMessage.Role.USER) {
            throw new IllegalArgumentException("send takes a user message");
        }
        List<ChatMessage> turn = fit(userMessage, sampling);
        Generation generation = model.chat(turn, sampling);
        generation.onComplete(c -> {
            if (c.stopReason() != StopReason.CANCELLED) {
                synchronized (this) {
                    history.add(userMessage);
                    history.add(ChatMessage.assistant(c.text()));
                }
            }
        });
        return generation;
    }

    /**
     * The history plus the new message, with the oldest turns dropped until there is room for an
     * answer: the answer's token limit, at most half the context, or a quarter of it without a limit.
     * Dropping as late as this keeps the KV cache's prefix (prompt caching) for as long as possible.
     */
    private List<ChatMessage> fit(ChatMessage userMessage, SamplingOptions sampling) {
        int context = model.options().contextSize();
        int room = sampling.maxTokens() > 0 ? Math.min(sampling.maxTokens(), context / 2) : context / 4;
        int dropped = 0;
        while (true) {
            List<ChatMessage> turn = new ArrayList<>(history);
            turn.add(userMessage);
            int tokens = model.countChatTokens(turn);
            int firstTurn = hasSystemPrompt() ? 1 : 0;
            boolean fits = tokens + room <= context;
            if (fits || history.size() <= firstTurn) {
                if (dropped > 0) {
                    shiftListener.accept(new ContextShift(dropped, tokens, context));
                }
                return turn;
            }
            if (!contextShift) {
                if (tokens < context) {
                    return turn;  // room for a shorter answer: strict mode only fails when nothing fits
                }
                throw new ContextOverflowException(tokens, context);
            }
            // One turn is a user message and the answer to it.
            history.remove(firstTurn);
            if (history.size() > firstTurn && history.get(firstTurn).role() != ChatMessage.Role.USER) {
                history.remove(firstTurn);
            }
            dropped++;
        }
    }

    private boolean hasSystemPrompt() {
        return !history.isEmpty() && history.getFirst().role() == ChatMessage.Role.SYSTEM;
    }

    /** Replaces the system prompt (blank: none); the turns so far stay. */
    public synchronized void setSystemPrompt(String text) {
        if (hasSystemPrompt()) {
            history.removeFirst();
        }
        systemPrompt = text;
        if (text != null && !text.isBlank()) {
            history.addFirst(ChatMessage.system(text));
        }
    }

    public synchronized String systemPrompt() {
        return systemPrompt;
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
