package dev.slm.server.config;

import dev.slm.routing.RoutingConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything {@code slm serve} runs with, validated. Built by {@link ServerConfigBinder} from the config
 * file, {@code SLM_*} environment variables and flags, in that order of precedence (flags win).
 *
 * @param apiKeys        accepted {@code Authorization: Bearer} keys; empty = no authentication
 * @param corsOrigins    origins allowed to call from a browser ({@code *} = any); empty = CORS off
 * @param maxBodyBytes   largest request body accepted (413 past it)
 * @param maxTokens      the most tokens one request may generate; also the default when it sets none
 * @param requestTimeout the longest a request may take, waiting in the queue included
 * @param shutdownGrace  how long in-flight requests may run on after SIGTERM before they are cancelled
 * @param loadTimeout    how long a model may take to load
 * @param memoryBudget   bytes the loaded models may use together, by estimate; never loaded past
 * @param routing        hybrid routing (the file named by {@code routing}); empty = every request answered locally
 * @param limits         what hostile clients and broken runners are allowed
 */
public record ServerConfig(String host, int port, List<String> apiKeys, List<String> corsOrigins,
                           long maxBodyBytes, int maxTokens, Duration requestTimeout, Duration shutdownGrace,
                           Duration loadTimeout, long memoryBudget, Optional<Path> nativeLibraryDir,
                           List<ModelConfig> models, Optional<RoutingConfig> routing,
                           ServerLimits limits) {

    public ServerConfig {
        apiKeys = List.copyOf(apiKeys);
        corsOrigins = List.copyOf(corsOrigins);
        models = List.copyOf(models);
    }

    public Optional<ModelConfig> model(String name) {
        return models.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    public ServerConfig withPort(int v) {
        return new ServerConfig(host, v, apiKeys, corsOrigins, maxBodyBytes, maxTokens, requestTimeout,
                shutdownGrace, loadTimeout, memoryBudget, nativeLibraryDir, models, routing, limits);
    }
}
