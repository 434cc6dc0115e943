package dev.slm.server.api;

import java.io.IOException;

/** Answers one path. Throws {@link dev.slm.server.ApiException} for anything the client gets as an error. */
@FunctionalInterface
interface Endpoint {
    void handle(ApiExchange exchange) throws IOException;
}
