package dev.slm.engine;

/** Why a generation ended. */
public enum StopReason {
    /** The model ended its text (end-of-generation token). */
    EOS,
    /** The token limit or the context was reached. */
    LENGTH,
    /** A stop string appeared; it is not part of the answer. */
    STOP_STRING,
    /** Someone cancelled the generation. */
    CANCELLED
}
