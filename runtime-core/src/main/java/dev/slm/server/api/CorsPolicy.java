package dev.slm.server.api;

import com.sun.net.httpserver.Headers;
import java.util.List;

/** Which browser origins may call the API. With no origins configured, no CORS header is ever sent. */
final class CorsPolicy {
    private final List<String> origins;

    CorsPolicy(List<String> origins) {
        this.origins = List.copyOf(origins);
    }

    boolean enabled() {
        return !origins.isEmpty();
    }

    /** Adds the headers that let {@code origin} read the answer, if it is allowed; returns whether it is. */
    boolean allow(String origin, Headers response) {
        if (origin == null || !enabled()) {
            return false;
        }
        boolean any = origins.contains("*");
        if (!any && !origins.contains(origin)) {
            return false;
        }
        response.set("Access-Control-Allow-Origin", any ? "*" : origin);
        response.add("Vary", "Origin");
        return true;
    }

    /** A list of header names, as a preflight's Access-Control-Request-Headers sends it. */
    private static final java.util.regex.Pattern HEADER_NAMES =
            java.util.regex.Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+(\\s*,\\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*");

    /**
     * Headers of the answer to a preflight request from an allowed origin. The headers the browser
     * asks for are allowed as asked (SDKs send their own, such as x-stainless-*): the origin is what
     * CORS guards here, and the API key is checked on the request itself.
     */
    void preflight(Headers response, String requestedHeaders) {
        response.set("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        boolean echo = requestedHeaders != null && requestedHeaders.length() <= 4096
                && HEADER_NAMES.matcher(requestedHeaders.strip()).matches();
        response.set("Access-Control-Allow-Headers", echo ? requestedHeaders.strip() : "Authorization, Content-Type");
        response.set("Access-Control-Max-Age", "600");
    }
}
