package dev.slm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.SlmException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * What a user of an OpenAI-compatible server sees under load: concurrent clients, each sending streamed
 * chat requests one after another, measured at the client. The same code drives {@code slm serve} and
 * llama.cpp's {@code llama-server} (scripts/bench-serve), so their ratio is the cost of slm's serving
 * path: HTTP front, scheduler, runner process and pipe, per-token hand-offs.
 *
 * <p>Time to first token is taken at the first chunk that carries text (llama-server sends a chunk
 * with only the role first). Tokens are the server's own {@code usage.completion_tokens} when it sends
 * usage, else the chunks that carried text.
 */
public final class ServerLoad {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param base              the server, with or without a trailing {@code /v1}
     * @param model             the model name sent; empty = the first one {@code /v1/models} lists
     * @param apiKey            sent as a bearer token when not empty
     * @param clients           concurrent clients
     * @param requestsPerClient streamed requests each client sends, one after another
     * @param maxTokens         {@code max_tokens} of each request
     * @param requestTimeout    the longest one request may take before the run fails
     */
    public record Settings(URI base, String model, String apiKey, int clients, int requestsPerClient, int maxTokens,
                           Duration requestTimeout) {
        public Settings {
            if (clients < 1 || clients > 256) {
                throw new IllegalArgumentException("--clients must be between 1 and 256, got " + clients);
            }
            if (requestsPerClient < 1 || requestsPerClient > 10_000) {
                throw new IllegalArgumentException("--requests must be between 1 and 10000, got " + requestsPerClient);
            }
            if (maxTokens < 1) {
                throw new IllegalArgumentException("-n must be positive, got " + maxTokens);
            }
            String scheme = base.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme) || base.getHost() == null) {
                throw new IllegalArgumentException("--serve needs an http(s) URL such as http://127.0.0.1:8080, got " + base);
            }
        }

        URI endpoint(String path) {
            String root = base.toString().replaceAll("/+$", "").replaceAll("/v1$", "");
            return URI.create(root + path);
        }
    }

    /** One request as the client saw it. */
    public record RequestResult(double timeToFirstTokenMillis, double totalMillis, int completionTokens) {
    }

    /**
     * One load level.
     *
     * @param aggregateTokensPerSecond every completion token of the run over its wall time
     * @param streamTokensPerSecond    per request, tokens after the first over the time after the first, median
     */
    public record Result(String model, int clients, int requests, int maxTokens, double wallSeconds, long completionTokens,
                         double aggregateTokensPerSecond, double streamTokensPerSecond, double timeToFirstTokenMedianMillis,
                         double timeToFirstTokenP95Millis) {

        static Result of(String model, int clients, int maxTokens, double wallSeconds, List<RequestResult> requests) {
            long tokens = requests.stream().mapToLong(RequestResult::completionTokens).sum();
            double[] ttft = requests.stream().mapToDouble(RequestResult::timeToFirstTokenMillis).sorted().toArray();
            double[] stream = requests.stream()
                    .filter(r -> r.completionTokens() > 1 && r.totalMillis() > r.timeToFirstTokenMillis())
                    .mapToDouble(r -> (r.completionTokens() - 1) * 1000.0 / (r.totalMillis() - r.timeToFirstTokenMillis()))
                    .sorted().toArray();
            return new Result(model, clients, requests.size(), maxTokens, wallSeconds, tokens, tokens / wallSeconds,
                    percentile(stream, 50), percentile(ttft, 50), percentile(ttft, 95));
        }
    }

    private final Settings settings;
    private final HttpClient http;

    public ServerLoad(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Sends one unmeasured request (the server may load the model on the first), then the measured load. */
    public Result run() {
        String model = settings.model().isEmpty() ? firstModel() : settings.model();
        send(model, -1, 0);
        ExecutorService pool = Executors.newFixedThreadPool(settings.clients());
        try {
            long start = System.nanoTime();
            List<Future<List<RequestResult>>> clients = new ArrayList<>();
            for (int c = 0; c < settings.clients(); c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    List<RequestResult> mine = new ArrayList<>();
                    for (int r = 0; r < settings.requestsPerClient(); r++) {
                        mine.add(send(model, client, r));
                    }
                    return mine;
                }));
            }
            List<RequestResult> all = new ArrayList<>();
            for (Future<List<RequestResult>> client : clients) {
                all.addAll(client.get());
            }
            double wall = (System.nanoTime() - start) / 1e9;
            return Result.of(model, settings.clients(), settings.maxTokens(), wall, all);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new SlmException(e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SlmException("interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    private String firstModel() {
        HttpRequest request = authorized(HttpRequest.newBuilder(settings.endpoint("/v1/models")))
                .timeout(Duration.ofSeconds(30)).GET().build();
        HttpResponse<String> response = exchange(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new SlmException(settings.endpoint("/v1/models") + " answered " + response.statusCode() + ": "
                    + oneLine(response.body()));
        }
        JsonNode data = parse(response.body()).path("data");
        if (!data.isArray() || data.isEmpty() || !data.get(0).path("id").isTextual()) {
            throw new SlmException(settings.endpoint("/v1/models") + " lists no model; pass its name");
        }
        return data.get(0).path("id").asText();
    }

    private RequestResult send(String model, int client, int index) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        // A different prompt per request, as from different users: no request reuses another's prompt cache.
        body.putArray("messages").addObject().put("role", "user")
                .put("content", "Client " + client + ", request " + index + ": write a short story about a small robot.");
        body.put("max_tokens", settings.maxTokens());
        body.put("temperature", 0);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        HttpRequest request = authorized(HttpRequest.newBuilder(settings.endpoint("/v1/chat/completions")))
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        long start = System.nanoTime();
        HttpResponse<Stream<String>> response = exchange(request, HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = response.body()) {
            if (response.statusCode() != 200) {
                throw new SlmException(settings.endpoint("/v1/chat/completions") + " answered " + response.statusCode()
                        + ": " + oneLine(String.join(" ", lines.limit(20).toList())));
            }
            long first = -1;
            int textChunks = 0;
            int usageTokens = -1;
            for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                String line = it.next();
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).trim();
                if (data.equals("[DONE]")) {
                    break;
                }
                JsonNode chunk = parse(data);
                if (chunk.has("error")) {
                    throw new SlmException("the server failed in the middle of a stream: " + oneLine(chunk.path("error").toString()));
                }
                JsonNode delta = chunk.path("choices").path(0).path("delta");
                if (hasText(delta)) {
                    textChunks++;
                    if (first < 0) {
                        first = System.nanoTime();
                    }
                }
                if (chunk.path("usage").path("completion_tokens").isInt()) {
                    usageTokens = chunk.path("usage").path("completion_tokens").asInt();
                }
            }
            long end = System.nanoTime();
            if (first < 0) {
                throw new SlmException("the server streamed no text for model " + model);
            }
            return new RequestResult((first - start) / 1e6, (end - start) / 1e6, usageTokens >= 0 ? usageTokens : textChunks);
        }
    }

    private static boolean hasText(JsonNode delta) {
        for (String field : List.of("content", "reasoning_content")) {
            if (delta.path(field).isTextual() && !delta.path(field).asText().isEmpty()) {
                return true;
            }
        }
        return delta.path("tool_calls").isArray() && !delta.path("tool_calls").isEmpty();
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder builder) {
        return settings.apiKey().isEmpty() ? builder : builder.header("Authorization", "Bearer " + settings.apiKey());
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            try {
                return http.send(request, handler);
            } catch (ConnectException | HttpTimeoutException e) {
                throw e;
            } catch (IOException e) {
                // A kept-alive connection the server closed just as the request went out ("header parser
                // received no bytes"; seen with llama-server under load, which closes idle connections
                // after 5 s): no answer came, so the request is sent again once, on a new connection.
                return http.send(request, handler);
            }
        } catch (ConnectException e) {
            throw new SlmException("cannot connect to " + request.uri() + ": is the server running?");
        } catch (HttpTimeoutException e) {
            throw new SlmException(request.uri() + " did not answer within " + settings.requestTimeout().toSeconds() + " s");
        } catch (IOException e) {
            throw new SlmException("request to " + request.uri() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SlmException("interrupted");
        }
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new SlmException("the server sent something that is not JSON: " + oneLine(text));
        }
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").trim();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    /** The results as JSON: the server and one object per load level (what scripts/bench-serve reads). */
    public static String toJson(URI server, List<Result> results) {
        ObjectNode root = JSON.createObjectNode();
        root.put("server", server.toString());
        root.set("results", JSON.valueToTree(results));
        return root.toPrettyString();
    }

    /** Writes {@link #toJson} to a file, whole or not at all. */
    public static void save(java.nio.file.Path file, URI server, List<Result> results) {
        TextFile.write(file, toJson(server, results) + "\n");
    }

    /** Nearest-rank percentile of sorted values; 0 when there are none. */
    static double percentile(double[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
