package dev.slm.routing.upstream;

import dev.slm.openai.CompletionEndpoint;
import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A larger model reached over HTTP through an OpenAI-compatible API: a cloud endpoint or another
 * {@code slm serve}.
 *
 * @param name           how routes, logs, metrics and error messages name it.
 * @param baseUrl        the API base, as OpenAI clients take it: {@code http://host:8080/v1/}.
 * @param model          the model to ask it for.
 * @param apiKey         sent as {@code Authorization: Bearer ...}; null = none. Never printed.
 * @param connectTimeout the longest wait for a connection.
 * @param timeout        the longest wait for a whole answer; for a stream, for its first bytes.
 * @param idleTimeout    the longest silence between two pieces of a stream.
 * @param costPer1kInput  price of 1000 prompt tokens (any currency; used for the cost metrics).
 * @param costPer1kOutput price of 1000 generated tokens.
 */
public record Upstream(String name, URI baseUrl, String model, String apiKey, Duration connectTimeout,
                       Duration timeout, Duration idleTimeout, double costPer1kInput, double costPer1kOutput) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    public Upstream {
        if (name == null || !NAME.matcher(name).matches() || name.equals("local")) {
            throw new IllegalArgumentException("upstream name '" + name + "' is not allowed: use letters, digits,"
                    + " '_', '.' or '-' (and not 'local')");
        }
        if (baseUrl == null || baseUrl.getHost() == null
                || !("http".equals(baseUrl.getScheme()) || "https".equals(baseUrl.getScheme()))) {
            throw new IllegalArgumentException("upstream '" + name + "': base URL '" + baseUrl
                    + "' is not an http(s) URL with a host, e.g. http://10.0.0.5:8080/v1");
        }
        if (!baseUrl.getPath().endsWith("/")) {
            baseUrl = URI.create(baseUrl + "/");
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("upstream '" + name + "' needs the model to ask for");
        }
        requirePositive(name, "connect timeout", connectTimeout);
        requirePositive(name, "timeout", timeout);
        requirePositive(name, "idle timeout", idleTimeout);
        if (!(costPer1kInput >= 0) || !(costPer1kOutput >= 0)) {
            throw new IllegalArgumentException("upstream '" + name + "': costs must be 0 or more");
        }
    }

    private static void requirePositive(String name, String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("upstream '" + name + "': " + what + " must be positive, got " + d);
        }
    }

    /** An upstream with default timeouts, no key and no cost. */
    public static Upstream of(String name, URI baseUrl, String model) {
        return new Upstream(name, baseUrl, model, null, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
                DEFAULT_IDLE_TIMEOUT, 0, 0);
    }

    public Upstream withApiKey(String key) {
        return new Upstream(name, baseUrl, model, key, connectTimeout, timeout, idleTimeout, costPer1kInput, costPer1kOutput);
    }

    public Upstream withTimeouts(Duration connect, Duration whole, Duration idle) {
        return new Upstream(name, baseUrl, model, apiKey, connect, whole, idle, costPer1kInput, costPer1kOutput);
    }

    public Upstream withCosts(double per1kInput, double per1kOutput) {
        return new Upstream(name, baseUrl, model, apiKey, connectTimeout, timeout, idleTimeout, per1kInput, per1kOutput);
    }

    /** Where requests for {@code endpoint} go. */
    public URI endpointUri(CompletionEndpoint endpoint) {
        return baseUrl.resolve(endpoint.path());
    }

    /** What these tokens cost (or would have cost) here. */
    public double cost(long promptTokens, long completionTokens) {
        return promptTokens / 1000.0 * costPer1kInput + completionTokens / 1000.0 * costPer1kOutput;
    }

    /** Without the API key. */
    @Override
    public String toString() {
        return "Upstream[" + name + " " + baseUrl + " model=" + model + (apiKey == null ? "" : " key=***") + "]";
    }
}
