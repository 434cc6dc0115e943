package dev.slm.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.slm.routing.HybridRouter;
import dev.slm.openai.InvalidRequestException;
import dev.slm.server.backend.BackendException;
import dev.slm.server.backend.ModelRouter;
import dev.slm.server.config.ServerConfig;
import dev.slm.server.metrics.ServerMetrics;
import dev.slm.server.net.ClientConnection;
import dev.slm.server.net.ConnectionGuard;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every HTTP request enters here: routing, CORS, API keys, error bodies, metrics and the access log.
 * Whatever goes wrong, the client gets a JSON error; an unexpected failure is a 500 whose body says
 * only that, while the stack trace goes to the log.
 */
public final class ApiHandler implements HttpHandler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
    private static final Logger access = LoggerFactory.getLogger("dev.slm.server.access");
    /** The status logged and counted for a request that got no answer (nginx's "client closed request"). */
    static final int NO_ANSWER = 499;

    private record PathRoute(String method, PathHandler handler, boolean open) {
    }

    private final ServerConfig config;
    private final ServerMetrics metrics;
    private final ApiKeys keys;
    private final CorsPolicy cors;
    private final HostPolicy hosts;
    private final Supplier<List<String>> notReady;
    private final Map<String, PathRoute> routes = new LinkedHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final HybridRouter hybrid;
    private final ConnectionGuard guard;

    /**
     * @param notReady why the server is not ready (empty when it is), for {@code /ready}
     */
    public ApiHandler(ServerConfig config, ModelRouter router, ServerMetrics metrics, Supplier<List<String>> notReady,
                      ConnectionGuard guard) {
        this.config = config;
        this.guard = guard;
        this.metrics = metrics;
        this.keys = new ApiKeys(config.apiKeys());
        this.cors = new CorsPolicy(config.corsOrigins());
        this.hosts = new HostPolicy(config.host(), config.limits().allowedHosts());
        this.notReady = notReady;
        GenerationResponder responder = new GenerationResponder(metrics);
        this.hybrid = config.routing().map(routing -> HybridRouter.builder(routing,
                new BackendAnswerer(router, metrics, config.requestTimeout())).build()).orElse(null);
        LlamaServerResponder llamaServer = new LlamaServerResponder(metrics);
        ImageIntake images = new ImageIntake(config.limits().images());
        RoutedResponder routed = hybrid == null ? null : new RoutedResponder(hybrid, responder);
        routes.put("/v1/chat/completions", new PathRoute("POST",
                new GenerationEndpoint(true, router, responder, routed, llamaServer, images, config.maxTokens(), config.requestTimeout()), false));
        routes.put("/v1/completions", new PathRoute("POST",
                new GenerationEndpoint(false, router, responder, routed, llamaServer, images, config.maxTokens(), config.requestTimeout()), false));
        routes.put("/v1/embeddings", new PathRoute("POST", new EmbeddingsEndpoint(router, config.requestTimeout()), false));
        routes.put("/v1/models", new PathRoute("GET", new ModelsEndpoint(router), false));
        AdminEndpoint admin = new AdminEndpoint(router);
        routes.put(AdminEndpoint.PS, new PathRoute("GET", admin::ps, false));
        routes.put(AdminEndpoint.STOP, new PathRoute("POST", admin::stop, false));
        routes.put("/v1/responses", new PathRoute("POST",
                new ResponsesEndpoint(router, llamaServer, config.maxTokens(), config.requestTimeout()), false));
        // Ollama's API beside OpenAI's: the same models, limits and keys.
        OllamaInfoEndpoint ollama = new OllamaInfoEndpoint(router, config.requestTimeout());
        routes.put("/api/chat", new PathRoute("POST",
                new OllamaEndpoint(true, router, metrics, images, config.maxTokens(), config.requestTimeout()), false));
        routes.put("/api/generate", new PathRoute("POST",
                new OllamaEndpoint(false, router, metrics, images, config.maxTokens(), config.requestTimeout()), false));
        routes.put("/api/embed", new PathRoute("POST", ex -> ollama.embed(ex, false), false));
        routes.put("/api/embeddings", new PathRoute("POST", ex -> ollama.embed(ex, true), false));
        routes.put("/api/tags", new PathRoute("GET", ollama::tags, false));
        routes.put("/api/show", new PathRoute("POST", ollama::show, false));
        routes.put("/api/ps", new PathRoute("GET", ollama::ps, false));
        routes.put("/api/version", new PathRoute("GET", ollama::version, true));
        routes.put("/health", new PathRoute("GET", this::health, true));
        routes.put("/ready", new PathRoute("GET", this::ready, true));
        routes.put("/metrics", new PathRoute("GET",
                ex -> ex.sendText(200, "text/plain; version=0.0.4; charset=utf-8",
                        hybrid == null ? metrics.scrape() : metrics.scrape() + hybrid.metrics().prometheusText()), false));
        metrics.gauge("slm_http_requests_in_flight", "HTTP requests being answered now.", sink -> sink.sample(inFlight.get()));
    }

    /** Closes the connections to upstreams, if any. */
    @Override
    public void close() {
        if (hybrid != null) {
            hybrid.close();
        }
    }

    /** HTTP requests being answered now. */
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public void handle(HttpExchange http) {
        inFlight.incrementAndGet();
        long start = System.nanoTime();
        ApiExchange ex = new ApiExchange(http, config.maxBodyBytes());
        ClientConnection client = guard == null ? null : guard.connection(http.getRemoteAddress());
        if (client != null) {
            client.requestStarted();
        }
        String endpoint = "other";
        AtomicBoolean clientLeft = new AtomicBoolean(); // before its answer: what is sent after goes nowhere
        try {
            String path = ex.path();
            String routeKey = openAiPath(path).startsWith("/v1/models/") ? "/v1/models" : openAiPath(path);
            PathRoute route = routes.get(routeKey);
            if (route != null) {
                endpoint = routeKey;
            }
            boolean corsAllowed = cors.allow(ex.header("Origin"), http.getResponseHeaders());
            if (ex.method().equals("OPTIONS") && corsAllowed && route != null) {
                cors.preflight(http.getResponseHeaders(), ex.header("Access-Control-Request-Headers"));
                ex.sendEmpty(204);
                return;
            }
            try {
                if (!hosts.allows(ex.header("Host"))) {
                    throw new ApiException(403, "invalid_request_error", "host_not_allowed", null,
                            "this server does not answer to the host name in the Host header; add it to allowed_hosts if it is really this server's name");
                }
                String origin = ex.header("Origin");
                // A page of another origin (a sandboxed one sends "null") may reach only the probes.
                // (A preflight from it gets its 405 below: without CORS headers the browser sends nothing more.)
                if (origin != null && !corsAllowed && !ex.method().equals("OPTIONS") && !(route != null && route.open())) {
                    throw new ApiException(403, "invalid_request_error", "origin_not_allowed", null,
                            "requests from web pages of origin " + LogSafe.of(origin) + " are refused: add it to cors_origins to allow them");
                }
                if (path.startsWith(AdminEndpoint.PREFIX) && client != null && !client.address().isLoopbackAddress()) {
                    // `slm ps` and `slm stop` run on the server's machine; from elsewhere these are no endpoints.
                    throw new ApiException(403, "invalid_request_error", "admin_loopback_only", null,
                            "the admin endpoints answer clients on this machine only");
                }
                if (route == null) {
                    throw new ApiException(404, "invalid_request_error", "not_found", null,
                            "no such endpoint: " + ex.method() + " " + path);
                }
                if (!route.method().equals(ex.method()) && !(route.method().equals("GET") && ex.method().equals("HEAD"))) {
                    http.getResponseHeaders().set("Allow", route.method());
                    throw new ApiException(405, "invalid_request_error", "method_not_allowed", null,
                            ex.method() + " is not allowed on " + path + ": use " + route.method());
                }
                if (!route.open() && keys.required() && !keys.accepts(ex.header("Authorization"))) {
                    http.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                    throw new ApiException(401, "invalid_request_error", "invalid_api_key", null,
                            "missing or incorrect API key: send 'Authorization: Bearer <key>' with a key configured on the server");
                }
                if (route.method().equals("POST")) {
                    try (ClientWatch watch = ClientWatch.start(client, () -> ex.status() == 0, () -> {
                        clientLeft.set(true);
                        metrics.disconnects.inc();
                        log.info("client went away before its answer; cancelling its request{}",
                                ex.model() == null ? "" : " on model '" + LogSafe.of(ex.model()) + "'");
                    })) {
                        route.handler().handle(ex);
                    }
                } else {
                    route.handler().handle(ex);
                }
            } catch (ApiException | InvalidRequestException | BackendException e) {
                ApiException error = ApiException.from(e);
                metrics.errors.inc(error.code());
                if (ex.status() == 0) {
                    ex.sendError(error);
                }
            } catch (IOException e) {
                log.debug("{} {}: connection failed: {}", LogSafe.of(ex.method()), LogSafe.of(path), e.getMessage());
            } catch (RuntimeException e) {
                log.error("{} {} failed", LogSafe.of(ex.method()), LogSafe.of(path), e);
                metrics.errors.inc("internal_error");
                if (ex.status() == 0) {
                    ex.sendError(new ApiException(500, "server_error", "internal_error", null,
                            "internal error in slm; the server log has the details"));
                }
            }
        } catch (IOException e) {
            log.debug("{} {}: could not send the answer: {}", LogSafe.of(ex.method()), LogSafe.of(ex.path()), e.getMessage());
        } finally {
            http.close();
            if (client != null) {
                client.requestEnded();
            }
            inFlight.decrementAndGet();
            // No answer reached the client: it hung up first, or the connection failed (a body that
            // never arrived is cut at maxReqTime). nginx's 499 says so; the 204 or 503 this was would
            // claim an answer, or an overload.
            int status = ex.status() == 0 || clientLeft.get() ? NO_ANSWER : ex.status();
            metrics.requests.inc(endpoint, Integer.toString(status));
            if (!endpoint.equals("/health") && !endpoint.equals("/ready") && !endpoint.equals("/metrics")) {
                accessLog(ex, status, start);
            }
        }
    }

    /**
     * The OpenAI route a path names: llama.cpp's server takes them without {@code /v1} too
     * ({@code /chat/completions}), so a client whose base URL lacks it still reaches them.
     */
    private String openAiPath(String path) {
        if (routes.containsKey(path) || path.startsWith("/v1/") || path.startsWith("/api/")) {
            return path;
        }
        String first = path.indexOf('/', 1) > 0 ? path.substring(0, path.indexOf('/', 1)) : path;
        return first.equals("/models") || routes.containsKey("/v1" + path) ? "/v1" + path : path;
    }

    /** One line per request; what the client chose (path, model) is escaped so it cannot forge lines. */
    private void accessLog(ApiExchange ex, int status, long start) {
        long ms = (System.nanoTime() - start) / 1_000_000;
        String method = LogSafe.of(ex.method());
        String path = LogSafe.of(ex.path());
        String model = LogSafe.of(ex.model());
        if (ex.usage() != null) {
            access.info("{} {} {} model={} stream={} prompt_tokens={} completion_tokens={} {}ms", method, path, status,
                    model, ex.streamed(), ex.usage().promptTokens(), ex.usage().completionTokens(), ms);
        } else {
            access.info("{} {} {}{} {}ms", method, path, status, model == null ? "" : " model=" + model, ms);
        }
    }

    private void health(ApiExchange ex) throws IOException {
        ObjectNode body = ApiExchange.JSON.createObjectNode();
        body.put("status", "ok");
        ex.sendJson(200, body);
    }

    private void ready(ApiExchange ex) throws IOException {
        List<String> reasons = notReady.get();
        ObjectNode body = ApiExchange.JSON.createObjectNode();
        body.put("status", reasons.isEmpty() ? "ready" : "not_ready");
        reasons.forEach(body.putArray("reasons")::add);
        ex.sendJson(reasons.isEmpty() ? 200 : 503, body);
    }
}
