package dev.slm.server.backend;

/** A model as {@code GET /v1/models} lists it. */
public record ModelCard(String id, long created, String ownedBy) {
}
