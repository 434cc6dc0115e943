package dev.slm.routing.upstream;

import dev.slm.SlmException;
import java.util.Locale;

/**
 * An upstream did not give a usable answer. The message is one line that names the upstream and what
 * went wrong; a server turns it into a 502 (Bad Gateway) when the route does not fall back.
 */
public class UpstreamException extends SlmException {

    /** What went wrong, as counted in the metrics. */
    public enum Kind {
        /** No connection, or no answer (or no next piece of a stream) in time. */
        TIMEOUT,
        /** Refused, reset or closed connection. */
        CONNECTION,
        /** The TLS handshake failed (bad certificate, not TLS at all...). */
        TLS,
        /** An HTTP status other than 200. */
        HTTP_STATUS,
        /** A 200 whose body is not an OpenAI-compatible answer (bad JSON, no choices, not a stream). */
        BAD_RESPONSE,
        /** The upstream answered with an error object in its stream. */
        STREAM_ERROR,
        /** The waiting thread was interrupted. */
        INTERRUPTED;

        public String metricName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String upstream;
    private final Kind kind;
    private final int httpStatus;

    public UpstreamException(String upstream, Kind kind, int httpStatus, String message, Throwable cause) {
        super(message, cause);
        this.upstream = upstream;
        this.kind = kind;
        this.httpStatus = httpStatus;
    }

    /** The upstream's name. */
    public String upstream() {
        return upstream;
    }

    public Kind kind() {
        return kind;
    }

    /** The upstream's HTTP status for {@link Kind#HTTP_STATUS}, else 0. */
    public int httpStatus() {
        return httpStatus;
    }
}
