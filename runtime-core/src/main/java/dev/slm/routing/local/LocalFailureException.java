package dev.slm.routing.local;

import dev.slm.SlmException;
import java.util.Locale;

/**
 * The local model could not answer. The kind decides whether a route escalates instead (see the
 * route's {@code escalate.on-local-failure}).
 */
public class LocalFailureException extends SlmException {

    /** Why the local model could not answer. */
    public enum Kind {
        /** No such local model (not installed, or its runner could not start). */
        MODEL_MISSING,
        /** The model or its context did not fit in memory. */
        OUT_OF_MEMORY,
        /** Too many requests are already waiting for the model. */
        QUEUE_FULL,
        /** Anything else; never escalated by default. */
        ERROR;

        /** The name used in configuration: {@code model-missing}, {@code out-of-memory}... */
        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Kind kind;

    public LocalFailureException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public LocalFailureException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
