package dev.slm.engine;

/** What a running generation reports: text as it is produced, then exactly one {@link Completion}. */
public sealed interface GenerationEvent permits GenerationEvent.Token, Completion {

    /** A piece of generated text (usually one token; empty pieces are not reported). */
    record Token(String text) implements GenerationEvent {
    }
}
