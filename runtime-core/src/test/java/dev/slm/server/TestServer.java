package dev.slm.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.Wait;
import dev.slm.server.config.ConfigFile;
import dev.slm.server.config.ServerConfig;
import dev.slm.server.config.ServerConfigBinder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A real {@link SlmServer} on a loopback port chosen by the system, serving the fixture model from
 * real runner processes, configured through the real config file parser; plus a raw HTTP client.
 */
public final class TestServer implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();

    public final SlmServer server;
    public final URI base;
    public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestServer(SlmServer server) {
        this.server = server;
        this.base = URI.create("http://127.0.0.1:" + server.port());
    }

    /**
     * Starts a server whose config file is {@code config}; {@code ${MODEL}} stands for the fixture
     * model's path. Server-wide defaults for tests: port 0, loopback, one thread per model.
     */
    public static TestServer start(String config) {
        return start(config, dev.slm.server.runner.RunnerLaunch.sameJava());
    }

    /** As {@link #start(String)}, with runners started by {@code launch} (a stand-in that crashes, say). */
    public static TestServer start(String config, dev.slm.server.runner.RunnerLaunch launch) {
        String text = "host = 127.0.0.1\nport = 0\nthreads = 1\nshutdown_grace = 5s\n"
                + config.replace("${MODEL}", FixtureModel.path().toString());
        ServerConfig c = ServerConfigBinder.bind(ConfigFile.parse(text, "test.conf"));
        return new TestServer(SlmServer.start(c, launch));
    }

    public HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    public HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    /** The samples of {@code /metrics}, keyed as written: {@code name} or {@code name{label="v"}}. */
    public Map<String, Double> metrics() {
        HttpResponse<String> r = get("/metrics");
        if (r.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + r.statusCode() + ": " + r.body());
        }
        Map<String, Double> samples = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    public double metric(String key) {
        return metrics().getOrDefault(key, 0.0);
    }

    /** Streams {@code body} to {@code path} and returns the SSE data payloads in order ({@code [DONE]} included). */
    public List<String> stream(String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<java.util.stream.Stream<String>> r = http.send(request, HttpResponse.BodyHandlers.ofLines());
            if (r.statusCode() != 200) {
                throw new AssertionError("stream answered " + r.statusCode() + ": " + String.join("\n", r.body().toList()));
            }
            List<String> data = new ArrayList<>();
            r.body().forEach(line -> {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            });
            return data;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits (at most {@code timeout}) until {@code condition} holds. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        Wait.until(what, timeout, condition);
    }

    public static String completionBody(String model, int maxTokens, boolean stream) {
        return "{\"model\":\"" + model + "\",\"prompt\":\"" + FixtureModel.PROMPT + "\",\"max_tokens\":" + maxTokens
                + ",\"temperature\":0,\"stream\":" + stream + "}";
    }

    @Override
    public void close() {
        server.shutdown(Duration.ofSeconds(5));
    }
}
