package dev.slm.server.api;

import dev.slm.openai.InvalidRequestException;
import java.util.Map;

/**
 * A request that cannot be answered, with what the client gets: an HTTP status and an OpenAI-style
 * error body {@code {"error":{"message","type","param","code"}}}. The message is one line a client
 * developer can act on; it never carries a stack trace.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final Map<String, String> headers;

    public ApiException(int status, String type, String code, String param, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.headers = Map.copyOf(headers);
    }

    public ApiException(int status, String type, String code, String param, String message) {
        this(status, type, code, param, message, Map.of());
    }

    /** 400: the request names {@code param} and it is wrong. */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", "invalid_value", param, message);
    }

    /** 400: what the OpenAI codec found wrong with a request. */
    public static ApiException of(InvalidRequestException e) {
        return new ApiException(400, "invalid_request_error", e.code(), e.param(), e.getMessage());
    }

    public static ApiException modelNotFound(String model) {
        return new ApiException(404, "invalid_request_error", "model_not_found", "model",
                "the model '" + model + "' does not exist: GET /v1/models lists the models this server has");
    }

    /** 429 with Retry-After: every slot is busy and the queue is full. */
    public static ApiException busy(String model, int retryAfterSeconds) {
        return new ApiException(429, "rate_limit_error", "queue_full", null,
                "model '" + model + "' is busy: every slot is in use and its queue is full; retry after "
                        + retryAfterSeconds + " s", Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
    }

    /** 503: the server cannot answer now; {@code code} says why (runner_crashed, memory_budget...). */
    public static ApiException unavailable(String code, String message) {
        return new ApiException(503, "server_error", code, null, message);
    }

    public static ApiException timeout(String message) {
        return new ApiException(504, "server_error", "timeout", null, message);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
