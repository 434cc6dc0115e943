package dev.slm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.SlmException;
import dev.slm.server.config.ConfigSetting;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How `slm ps` and `slm stop` reach the local `slm serve`: its port and an API key from the same
 * config file and SLM_* variables it reads, or flags. The admin endpoints answer loopback clients only.
 */
final class LocalServerOptions {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--config", paramLabel = "FILE", description = "The server's config file (default: as `slm serve`).")
    Path configFile;

    @Option(names = "--port", paramLabel = "PORT", description = "The server's port (default: the config's, else 8080).")
    Integer port;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "An API key of the server (default: $SLM_API_KEY, else the first of the config's api_keys or api_keys_file).")
    String apiKey;

    /** Sends a request to the local server's admin endpoint; returns its JSON answer. */
    JsonNode call(String method, String path, String body) {
        Map<String, String> server = serverSettings();
        int p = port != null ? port : Integer.parseInt(server.getOrDefault("port", "8080").strip());
        URI uri = URI.create("http://127.0.0.1:" + p + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        key(server).ifPresent(k -> request.header("Authorization", "Bearer " + k));
        HttpResponse<String> response;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new SlmException("no slm server answers on 127.0.0.1:" + p + ": start one with `slm serve`, or pass its --port");
        } catch (IOException e) {
            throw new SlmException("cannot reach the slm server on 127.0.0.1:" + p + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SlmException("interrupted");
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new SlmException("the server on 127.0.0.1:" + p + " answered " + response.statusCode() + " with no JSON: is it slm?");
        }
        if (response.statusCode() != 200) {
            String message = answer.path("error").path("message").asText(response.body());
            throw new SlmException("the server answered " + response.statusCode() + ": " + message
                    + (response.statusCode() == 401 ? " (pass --api-key or set SLM_API_KEY)" : ""));
        }
        return answer;
    }

    private Map<String, String> serverSettings() {
        Map<String, String> server = new LinkedHashMap<>();
        for (ConfigSetting s : ServeCommand.configSettings(configFile)) {
            if (s.model() == null) {
                server.put(s.key(), s.value());
            }
        }
        return server;
    }

    private Optional<String> key(Map<String, String> server) {
        if (apiKey != null) {
            return Optional.of(apiKey);
        }
        String env = System.getenv("SLM_API_KEY");
        if (env != null && !env.isBlank()) {
            return Optional.of(env.strip());
        }
        String keys = server.get("api_keys");
        if (keys != null && !keys.isBlank()) {
            return Optional.of(keys.split(",")[0].strip());
        }
        String file = server.get("api_keys_file");
        if (file != null) {
            try {
                List<String> lines = Files.readAllLines(Path.of(file)).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
                return lines.stream().findFirst();
            } catch (IOException e) {
                throw new SlmException("cannot read the API key file " + file + ": " + e.getMessage() + " (pass --api-key)");
            }
        }
        return Optional.empty();
    }
}
