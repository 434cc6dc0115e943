package dev.slm.openai;

import java.util.Optional;

/** The OpenAI-compatible endpoints a request can be routed for. */
public enum CompletionEndpoint {
    CHAT_COMPLETIONS("chat/completions"),
    COMPLETIONS("completions");

    private final String path;

    CompletionEndpoint(String path) {
        this.path = path;
    }

    /** The path below an API base URL such as {@code http://host:8080/v1/}. */
    public String path() {
        return path;
    }

    /** The endpoint a request path such as {@code /v1/chat/completions} names, if it is one of these. */
    public static Optional<CompletionEndpoint> forRequestPath(String requestPath) {
        for (CompletionEndpoint e : values()) {
            if (requestPath.endsWith("/" + e.path)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
