package dev.slm.server.api;

import dev.slm.openai.InvalidRequestException;
import dev.slm.server.backend.BackendException;
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

    /**
     * The HTTP answer to a backend's failure: its kind decides the status, its detail is the error
     * code ({@code runner_crashed}, {@code memory_budget}...).
     */
    public static ApiException of(BackendException e) {
        Map<String, String> headers = e.retryAfterSeconds() > 0
                ? Map.of("Retry-After", Integer.toString(e.retryAfterSeconds())) : Map.of();
        return switch (e.kind()) {
            case MISSING -> new ApiException(404, "invalid_request_error", e.detail(), e.param(), e.getMessage());
            case REJECTED -> new ApiException(400, "invalid_request_error", e.detail(), e.param(), e.getMessage());
            case BUSY -> new ApiException(429, "rate_limit_error", e.detail(), null, e.getMessage(), headers);
            case NOT_LOADED, OUT_OF_MEMORY, CRASHED, STOPPED ->
                    new ApiException(503, "server_error", e.detail(), null, e.getMessage(), headers);
            case TIMEOUT -> new ApiException(504, "server_error", e.detail(), null, e.getMessage());
            case FAILED -> new ApiException(500, "server_error", e.detail(), null, e.getMessage());
        };
    }

    /** What the client gets for a failure of this layer, of the codec, or of a backend. */
    static ApiException from(RuntimeException e) {
        return switch (e) {
            case ApiException api -> api;
            case InvalidRequestException invalid -> of(invalid);
            case BackendException backend -> of(backend);
            default -> throw new IllegalArgumentException("not a failure the client is told about", e);
        };
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
