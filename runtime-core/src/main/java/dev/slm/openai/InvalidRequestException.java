package dev.slm.openai;

import dev.slm.SlmException;

/**
 * An OpenAI-compatible request that cannot be answered as it is written: a field is missing, of the
 * wrong type, out of range, or asks for something slm does not do. The HTTP layer answers it with a
 * 400 whose error body names {@link #param()}; a program using the routing layer in process gets it
 * as it is. The message is one line a client developer can act on.
 */
public final class InvalidRequestException extends SlmException {
    private final String param;
    private final String code;

    private InvalidRequestException(String code, String param, String message) {
        super(message);
        this.code = code;
        this.param = param;
    }

    /** {@code param} has a value that is wrong (type, range, content). */
    public static InvalidRequestException invalid(String param, String message) {
        return new InvalidRequestException("invalid_value", param, message);
    }

    /** {@code param} is required and absent. */
    public static InvalidRequestException missing(String param, String message) {
        return new InvalidRequestException("missing_required_parameter", param, message);
    }

    /** {@code param} asks for a feature slm does not have. */
    public static InvalidRequestException unsupported(String param, String message) {
        return new InvalidRequestException("unsupported_parameter", param, message);
    }

    /** The field at fault, as a path into the body ({@code messages[2].role}). */
    public String param() {
        return param;
    }

    /** OpenAI's error code: {@code invalid_value}, {@code missing_required_parameter} or {@code unsupported_parameter}. */
    public String code() {
        return code;
    }
}
