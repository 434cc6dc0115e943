package dev.slm.server.api;

import java.io.IOException;

/** Answers one path. Throws {@link ApiException} for anything the client gets as an error. */
@FunctionalInterface
interface PathHandler {
    void handle(ApiExchange exchange) throws IOException;
}
