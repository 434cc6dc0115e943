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

    /** Headers of the answer to a preflight request from an allowed origin. */
    void preflight(Headers response) {
        response.set("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        response.set("Access-Control-Allow-Headers", "Authorization, Content-Type");
        response.set("Access-Control-Max-Age", "600");
    }
}
