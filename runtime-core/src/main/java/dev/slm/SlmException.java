package dev.slm;

/**
 * A failure a user can act on. The message is one line that names the problem and the fix;
 * front ends print it as is, never with a stack trace.
 */
public class SlmException extends RuntimeException {
    public SlmException(String message) {
        super(message);
    }

    public SlmException(String message, Throwable cause) {
        super(message, cause);
    }
}
