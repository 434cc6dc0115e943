package dev.slm.engine;

/** The end of a generation: the whole answer, why it stopped, what it used and how long it took. */
public record Completion(String text, StopReason stopReason, Usage usage, Timings timings) implements GenerationEvent {
}
