package dev.slm.server.backend;

import dev.slm.SlmException;
import java.util.Locale;

/**
 * Why a backend could not answer, in the model-hosting layer's own words. The HTTP layer turns the
 * {@link Kind} into a status code, the hybrid router into an escalation kind; neither has to decode
 * the other's language. {@link #detail()} is a short word that tells apart failures of one kind
 * ({@code runner_crashed} or {@code runner_stalled}) for logs, metrics and error bodies.
 */
public final class BackendException extends SlmException {

    /** What went wrong, as far as a caller needs to decide what to do about it. */
    public enum Kind {
        /** No backend serves the model name. */
        MISSING,
        /** The model is configured but could not be loaded (its runner did not start, or loading failed). */
        NOT_LOADED,
        /** Every slot is in use and the queue is full: try again soon. */
        BUSY,
        /** Loading the model would overrun the memory budget. */
        OUT_OF_MEMORY,
        /** The request's deadline passed (queued or generating). */
        TIMEOUT,
        /** The runner process died or stopped answering while serving the request. */
        CRASHED,
        /** The model refused the request itself (a prompt it cannot take, a model not set up for it). */
        REJECTED,
        /** The server is shutting down, the model was unloaded, or the request was interrupted. */
        STOPPED,
        /** Anything else that failed inside the engine. */
        FAILED;

        /** The default {@link #detail()}: {@code not_loaded}, {@code out_of_memory}... */
        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Kind kind;
    private final String detail;
    private final String param;
    private final int retryAfterSeconds;

    private BackendException(Kind kind, String detail, String param, int retryAfterSeconds, String message) {
        super(message);
        this.kind = kind;
        this.detail = detail == null ? kind.word() : detail;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static BackendException missing(String model) {
        return new BackendException(Kind.MISSING, "model_not_found", "model", 0,
                "the model '" + model + "' does not exist: GET /v1/models lists the models this server has");
    }

    /** @param detail {@code model_load_failed} or {@code runner_failed} (the process did not start) */
    public static BackendException notLoaded(String detail, String message) {
        return notLoaded(detail, message, 0);
    }

    /** @param retryAfterSeconds when the next load will be tried (0 = now) */
    public static BackendException notLoaded(String detail, String message, int retryAfterSeconds) {
        return new BackendException(Kind.NOT_LOADED, detail, null, retryAfterSeconds, message);
    }

    public static BackendException busy(String model, int retryAfterSeconds) {
        return new BackendException(Kind.BUSY, "queue_full", null, retryAfterSeconds,
                "model '" + model + "' is busy: every slot is in use and its queue is full; retry after "
                        + retryAfterSeconds + " s");
    }

    public static BackendException outOfMemory(String message) {
        return new BackendException(Kind.OUT_OF_MEMORY, "memory_budget", null, 0, message);
    }

    public static BackendException timeout(String message) {
        return new BackendException(Kind.TIMEOUT, "timeout", null, 0, message);
    }

    /** @param detail {@code runner_crashed} or {@code runner_stalled} */
    public static BackendException crashed(String detail, String message) {
        return new BackendException(Kind.CRASHED, detail, null, 0, message);
    }

    /** The model refused what the request asked for; {@code param} names the field at fault, if one is. */
    public static BackendException rejected(String param, String message) {
        return new BackendException(Kind.REJECTED, param == null ? "rejected_by_model" : "invalid_value", param, 0, message);
    }

    /** The prompt is longer than the model's context: OpenAI's {@code context_length_exceeded} on {@code messages}. */
    public static BackendException contextExceeded(String message) {
        return new BackendException(Kind.REJECTED, "context_length_exceeded", "messages", 0, message);
    }

    /** @param detail {@code shutting_down}, {@code model_unloaded} or {@code interrupted} */
    public static BackendException stopped(String detail, String message) {
        return new BackendException(Kind.STOPPED, detail, null, 0, message);
    }

    public static BackendException failed(String message) {
        return new BackendException(Kind.FAILED, "generation_failed", null, 0, message);
    }

    public Kind kind() {
        return kind;
    }

    public String detail() {
        return detail;
    }

    /** The request field at fault (for {@link Kind#REJECTED}), or null. */
    public String param() {
        return param;
    }

    /** Seconds after which trying again makes sense; 0 when there is no such time. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
