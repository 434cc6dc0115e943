package dev.slm.server.config;

import dev.slm.engine.ModelOptions;
import dev.slm.server.backend.RequestDefaults;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One model the server offers.
 *
 * @param name      what clients put in the request's {@code model} field
 * @param keepAlive how long the model stays loaded with no request; zero unloads it as soon as it is
 *                  idle, a negative value keeps it loaded for good
 * @param queue     requests that may wait for a slot; past that the server answers 429
 * @param preload   load it at start-up; {@code /ready} waits for it
 * @param defaults  a served variant's system prompt and parameters
 */
public record ModelConfig(String name, Path path, ModelOptions options, Duration keepAlive, int queue, boolean preload,
                          RequestDefaults defaults) {

    public ModelConfig {
        defaults = defaults == null ? RequestDefaults.NONE : defaults;
    }

    public ModelConfig(String name, Path path, ModelOptions options, Duration keepAlive, int queue, boolean preload) {
        this(name, path, options, keepAlive, queue, preload, RequestDefaults.NONE);
    }

    public boolean keepsForever() {
        return keepAlive.isNegative();
    }
}
