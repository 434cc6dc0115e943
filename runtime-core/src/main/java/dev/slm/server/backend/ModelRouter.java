package dev.slm.server.backend;

import java.util.List;

/**
 * The one place that decides which backend answers a request. The HTTP layer asks it for every
 * request and knows nothing else about where models live, so a router that also forwards some
 * names to upstream servers can replace the local one without touching the endpoints.
 */
public interface ModelRouter {

    /** @throws BackendException missing, for a name no backend serves */
    Backend route(String model);

    List<ModelCard> models();

    /** The models in memory now (`slm ps`); none for a router without local models. */
    default List<LoadedModel> loaded() {
        return List.of();
    }

    /**
     * Unloads a model now (`slm stop`); its running requests fail with 503. Returns whether it was loaded.
     *
     * @throws BackendException missing, for a name no backend serves
     */
    default boolean unload(String model) {
        throw BackendException.missing(model);
    }
}
