package dev.slm.server.config;

import dev.slm.engine.ModelOptions;
import dev.slm.profile.LaunchRequest;
import dev.slm.server.backend.RequestDefaults;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One model the server offers.
 *
 * @param name      what clients put in the request's {@code model} field
 * @param options   what the hardware profile does not decide: seed, parallel slots, embeddings, the
 *                  vision projector, LoRA adapters, a variant's chat template
 * @param launch    how to open it on this machine, as `slm run`'s flags say it: profile, context,
 *                  threads, batch, GPU layers, flash attention, KV cache type (unset = the profile's)
 * @param keepAlive how long the model stays loaded with no request; zero unloads it as soon as it is
 *                  idle, a negative value keeps it loaded for good
 * @param queue     requests that may wait for a slot; past that the server answers 429
 * @param preload   load it at start-up; {@code /ready} waits for it
 * @param defaults  a served variant's system prompt and parameters
 * @param aliases   other names clients may use for it ({@code aliases = a, b})
 */
public record ModelConfig(String name, Path path, ModelOptions options, LaunchRequest launch, Duration keepAlive, int queue,
                          boolean preload, RequestDefaults defaults, java.util.List<String> aliases) {

    public ModelConfig {
        defaults = defaults == null ? RequestDefaults.NONE : defaults;
        aliases = aliases == null ? java.util.List.of() : java.util.List.copyOf(aliases);
    }

    public ModelConfig(String name, Path path, ModelOptions options, LaunchRequest launch, Duration keepAlive, int queue,
                       boolean preload, RequestDefaults defaults) {
        this(name, path, options, launch, keepAlive, queue, preload, defaults, java.util.List.of());
    }

    public boolean keepsForever() {
        return keepAlive.isNegative();
    }
}
