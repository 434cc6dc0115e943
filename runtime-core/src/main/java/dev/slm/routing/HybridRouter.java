package dev.slm.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.routing.confidence.Confidence;
import dev.slm.routing.confidence.ConfidenceProbe;
import dev.slm.routing.confidence.SelfConsistencyProbe;
import dev.slm.routing.local.LocalAnswerer;
import dev.slm.routing.local.LocalFailureException;
import dev.slm.openai.ChunkStream;
import dev.slm.openai.CompletionRequest;
import dev.slm.openai.InvalidRequestException;
import dev.slm.openai.OpenAiShape;
import dev.slm.openai.TokenUsage;
import dev.slm.routing.redaction.Redactions;
import dev.slm.routing.upstream.Upstream;
import dev.slm.routing.upstream.UpstreamClient;
import dev.slm.routing.upstream.UpstreamException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers OpenAI-compatible requests locally or escalates them to an upstream, following the
 * {@link RoutingConfig}. What a server calls, once per request: {@link #complete} or {@link #stream}.
 *
 * <p>For a request whose model a route handles, in this order:
 * <ol>
 *   <li>A local-only route answers locally, always: no upstream is ever contacted for it.</li>
 *   <li>The route's rules (length, requested model, header, metadata, regex): the first that matches
 *       escalates.</li>
 *   <li>Its confidence rule: the probe asks the local model, and a score below the threshold escalates.</li>
 *   <li>Otherwise the local model answers. If it fails in a way the route escalates on (missing,
 *       out of memory, queue full), the upstream answers instead.</li>
 *   <li>An escalated request is redacted, sent, and the answer restored. If the upstream fails, the
 *       local model answers when the route falls back; otherwise the {@link UpstreamException}
 *       (naming the upstream) reaches the caller, for a 502.</li>
 * </ol>
 * A request no route handles is answered locally by the model it names. Every answer says where it
 * was produced ({@link RouteDecision#label()}, also in {@code usage.slm_route}) and is counted in
 * {@link #metrics()}. For a stream the route is settled before its first chunk is handed out.
 */
public final class HybridRouter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HybridRouter.class);

    private final RoutingConfig config;
    private final LocalAnswerer local;
    private final RoutingMetrics metrics;
    private final Function<Route, ConfidenceProbe> probes;
    private final Map<String, UpstreamClient> clients = new HashMap<>();

    private HybridRouter(Builder b) {
        this.config = b.config;
        this.local = b.local;
        this.metrics = b.metrics;
        this.probes = b.probes != null ? b.probes : route -> route.confidence()
                .map(c -> (ConfidenceProbe) new SelfConsistencyProbe(local, c.samples(), c.tokens(), c.temperature()))
                .orElse(null);
        for (Route route : config.routes()) {
            route.escalationTarget().ifPresent(u -> clients.computeIfAbsent(u.name(), n -> new UpstreamClient(u)));
        }
    }

    public static Builder builder(RoutingConfig config, LocalAnswerer local) {
        return new Builder(config, local);
    }

    public RoutingMetrics metrics() {
        return metrics;
    }

    /**
     * Where {@code request} would go, and why, without answering it. Runs the confidence probe when
     * the route has one (that is local inference).
     */
    public RouteDecision decide(CompletionRequest request) {
        Optional<Route> route = config.routeFor(request.model());
        if (route.isEmpty()) {
            return unrouted(request);
        }
        return decide(route.get(), request, request.withModel(route.get().localModelFor(request.model())));
    }

    /**
     * Answers a non-streaming request.
     *
     * @throws UpstreamException     when the upstream failed and the route does not fall back (502).
     * @throws LocalFailureException when the local model failed and the request could not escalate.
     */
    public RoutedResponse complete(CompletionRequest request) {
        return route(request, this::answerLocally, this::answerUpstream);
    }

    /**
     * Starts a streamed answer. Returns once the route is settled and the first chunk is in hand;
     * close the stream when done (or when the client goes away).
     *
     * @throws UpstreamException     as for {@link #complete}, for failures before the first chunk.
     * @throws LocalFailureException as for {@link #complete}.
     */
    public RoutedStream stream(CompletionRequest request) {
        return route(request, this::openLocal, this::openUpstream);
    }

    /** One way of answering (local or upstream), whole or streamed. */
    @FunctionalInterface
    private interface Answer<T> {
        T run(Route route, CompletionRequest request, RouteDecision decision);
    }

    private <T> T route(CompletionRequest request, Answer<T> locally, Answer<T> upstream) {
        Optional<Route> found = config.routeFor(request.model());
        if (found.isEmpty()) {
            return locally.run(null, request, unrouted(request));
        }
        Route route = found.get();
        CompletionRequest localRequest = request.withModel(route.localModelFor(request.model()));
        RouteDecision decision;
        try {
            decision = decide(route, request, localRequest);
            if (decision.isLocal()) {
                return locally.run(route, localRequest, decision);
            }
        } catch (LocalFailureException failure) {
            metrics.localFailure(route.name(), failure.kind());
            Optional<Upstream> target = route.escalationTarget();
            if (target.isEmpty() || !route.escalateOnLocalFailure().contains(failure.kind())) {
                throw failure;
            }
            RouteDecision escalated = RouteDecision.upstream(route.name(), target.get().name(),
                    "the local model failed (" + failure.kind().configName() + "): " + failure.getMessage());
            log.info("route {}: {}", route.name(), escalated.reason());
            // No fallback: the local model has just failed.
            return upstream.run(route, request, escalated);
        }
        try {
            return upstream.run(route, request, decision);
        } catch (UpstreamException e) {
            if (!route.fallbackToLocal()) {
                throw e;
            }
            metrics.fallback(route.name(), e.upstream());
            RouteDecision fallback = RouteDecision.local(route.name(),
                    decision.reason() + "; but " + e.getMessage() + ", so answered locally");
            log.info("route {}: {}", route.name(), fallback.reason());
            try {
                return locally.run(route, localRequest, fallback);
            } catch (LocalFailureException f) {
                metrics.localFailure(route.name(), f.kind());
                e.addSuppressed(f);
                throw e;
            }
        }
    }

    /**
     * Where a request that carries images goes. {@code request} is parsed from its text alone (the
     * images are in its body): the route's rules judge that text. The confidence probe does not run
     * (it samples the local model on the text, blind to the images, so it would judge another
     * question); a route with {@code images = local} or a local-only one keeps the request here.
     *
     * @throws InvalidRequestException when the request would go to an upstream through a route that
     *                                 redacts: redaction reads text and cannot redact an image
     */
    public RouteDecision decideWithImages(CompletionRequest request) {
        Optional<Route> found = config.routeFor(request.model());
        if (found.isEmpty()) {
            return unrouted(request);
        }
        Route route = found.get();
        if (route.imagesLocal() && route.escalationTarget().isPresent()) {
            return RouteDecision.local(route.name(), "route '" + route.name() + "' keeps images local (images = local)");
        }
        RouteDecision decision = decide(route, request, request.withModel(route.localModelFor(request.model())), false);
        if (!decision.isLocal() && route.redactor().isActive()) {
            throw InvalidRequestException.unsupported("messages", "route '" + route.name() + "' would send this request"
                    + " to upstream '" + decision.upstream() + "' (" + decision.reason() + "), but its redaction cannot"
                    + " redact images: set images = local on the route, or send the request without images");
        }
        return decision;
    }

    /** The local model that answers requests for {@code requested}: its route's, else the name itself. */
    public String localModelFor(String requested) {
        return config.routeFor(requested).map(r -> r.localModelFor(requested)).orElse(requested);
    }

    /**
     * Sends a request the router has decided to escalate ({@link #decideWithImages}) to the route's
     * upstream, whole. No local fallback: the local path of such a request is not this router's.
     */
    public RoutedResponse completeUpstream(CompletionRequest request, RouteDecision decision) {
        return answerUpstream(config.routeFor(request.model()).orElseThrow(), request, decision);
    }

    /** As {@link #completeUpstream}, streamed. */
    public RoutedStream streamUpstream(CompletionRequest request, RouteDecision decision) {
        return openUpstream(config.routeFor(request.model()).orElseThrow(), request, decision);
    }

    private RouteDecision unrouted(CompletionRequest request) {
        return RouteDecision.local("", "no route handles model '" + request.model() + "'");
    }

    private RouteDecision decide(Route route, CompletionRequest request, CompletionRequest localRequest) {
        return decide(route, request, localRequest, true);
    }

    private RouteDecision decide(Route route, CompletionRequest request, CompletionRequest localRequest,
                                 boolean probeConfidence) {
        String localModel = localRequest.model();
        Function<String, OptionalInt> tokens = text -> local.countTokens(localModel, text);
        Optional<String> ruleReason = Optional.empty();
        for (EscalationRule rule : route.rules()) {
            ruleReason = rule.check(request, tokens);
            if (ruleReason.isPresent()) {
                break;
            }
        }
        Optional<Upstream> target = route.escalationTarget();
        if (target.isEmpty()) {
            String why = route.localOnly()
                    ? "route '" + route.name() + "' is local-only: nothing leaves this machine"
                    + ruleReason.map(r -> " (" + r + ")").orElse("")
                    : "route '" + route.name() + "' has no upstream";
            return RouteDecision.local(route.name(), why);
        }
        if (ruleReason.isPresent()) {
            return RouteDecision.upstream(route.name(), target.get().name(), ruleReason.get());
        }
        if (route.confidence().isPresent() && !probeConfidence) {
            return RouteDecision.local(route.name(), "no escalation rule matched (the confidence probe cannot see images)");
        }
        if (route.confidence().isPresent()) {
            double threshold = route.confidence().get().threshold();
            ConfidenceProbe probe = probes.apply(route);
            Confidence c = probe.measure(localRequest);
            String how = String.format(Locale.ROOT, "local confidence %.2f %s %.2f (%s)", c.score(),
                    c.score() < threshold ? "is below" : "reaches", threshold, c.explanation());
            return c.score() < threshold
                    ? RouteDecision.upstream(route.name(), target.get().name(), how)
                    : RouteDecision.local(route.name(), how);
        }
        return RouteDecision.local(route.name(), "no escalation rule matched");
    }

    private RoutedResponse answerLocally(Route route, CompletionRequest localRequest, RouteDecision decision) {
        ObjectNode answer = local.complete(localRequest);
        TokenUsage usage = OpenAiShape.usage(answer).orElseGet(() -> estimated(localRequest, answer));
        metrics.answered(decision, usage, 0, costSaved(route, usage));
        OpenAiShape.labelRoute(answer, decision.label());
        return new RoutedResponse(answer, decision);
    }

    private RoutedResponse answerUpstream(Route route, CompletionRequest request, RouteDecision decision) {
        UpstreamClient client = client(route);
        Redactions redactions = route.redactor().start();
        ObjectNode outgoing = outgoing(request, client.upstream(), redactions);
        ObjectNode answer;
        try {
            answer = client.complete(request.endpoint(), outgoing);
        } catch (UpstreamException e) {
            metrics.upstreamFailure(e.upstream(), e.kind());
            throw e;
        }
        if (redactions.count() > 0) {
            OpenAiShape.rewriteAnswerText(answer, redactions::restore);
        }
        TokenUsage usage = OpenAiShape.usage(answer).orElseGet(() -> estimated(request, answer));
        metrics.answered(decision, usage, client.upstream().cost(usage.promptTokens(), usage.completionTokens()), 0);
        OpenAiShape.labelRoute(answer, decision.label());
        return new RoutedResponse(answer, decision);
    }

    private RoutedStream openLocal(Route route, CompletionRequest localRequest, RouteDecision decision) {
        ChunkStream chunks = local.stream(localRequest.streamedWithUsage());
        ObjectNode first = firstChunk(chunks);
        return new RoutedStream(decision, chunks, first, null, OpenAiShape.asksForStreamUsage(localRequest.body()),
                localRequest.text().length(), usage -> metrics.answered(decision, usage, 0, costSaved(route, usage)));
    }

    private RoutedStream openUpstream(Route route, CompletionRequest request, RouteDecision decision) {
        UpstreamClient client = client(route);
        Redactions redactions = route.redactor().start();
        ObjectNode outgoing = outgoing(request, client.upstream(), redactions);
        OpenAiShape.requestStreamUsage(outgoing);
        ObjectNode first;
        ChunkStream chunks;
        try {
            chunks = client.stream(request.endpoint(), outgoing);
            first = firstChunk(chunks);
        } catch (UpstreamException e) {
            metrics.upstreamFailure(e.upstream(), e.kind());
            throw e;
        }
        ChunkStream counted = new ChunkStream() {
            @Override
            public ObjectNode next() {
                try {
                    return chunks.next();
                } catch (UpstreamException e) {
                    metrics.upstreamFailure(e.upstream(), e.kind());
                    throw e;
                }
            }

            @Override
            public void close() {
                chunks.close();
            }
        };
        Upstream upstream = client.upstream();
        return new RoutedStream(decision, counted, first, redactions, OpenAiShape.asksForStreamUsage(request.body()),
                request.text().length(), usage -> metrics.answered(decision, usage,
                upstream.cost(usage.promptTokens(), usage.completionTokens()), 0));
    }

    private static ObjectNode firstChunk(ChunkStream chunks) {
        try {
            return chunks.next();
        } catch (RuntimeException e) {
            chunks.close();
            throw e;
        }
    }

    /** The client for the route's upstream; only a route that may escalate has one. */
    private UpstreamClient client(Route route) {
        Upstream target = route.escalationTarget().orElseThrow(() -> new IllegalStateException(
                "route '" + route.name() + "' cannot escalate"));
        return clients.get(target.name());
    }

    /** What leaves the machine: a copy with the upstream's model and the client's text redacted. */
    private static ObjectNode outgoing(CompletionRequest request, Upstream upstream, Redactions redactions) {
        ObjectNode body = request.body().deepCopy();
        body.put("model", upstream.model());
        OpenAiShape.rewriteRequestText(request.endpoint(), body, redactions::redact);
        return body;
    }

    private static TokenUsage estimated(CompletionRequest request, ObjectNode answer) {
        return new TokenUsage(OpenAiShape.estimateTokens(request.text()),
                OpenAiShape.estimateTokens(OpenAiShape.answerText(answer)), true);
    }

    private static double costSaved(Route route, TokenUsage usage) {
        return route == null || route.upstream() == null ? 0
                : route.upstream().cost(usage.promptTokens(), usage.completionTokens());
    }

    /** Closes the upstream connections. */
    @Override
    public void close() {
        clients.values().forEach(UpstreamClient::close);
    }

    /** Sets up a router; only the configuration and the local answerer are required. */
    public static final class Builder {
        private final RoutingConfig config;
        private final LocalAnswerer local;
        private RoutingMetrics metrics = new RoutingMetrics();
        private Function<Route, ConfidenceProbe> probes;

        private Builder(RoutingConfig config, LocalAnswerer local) {
            this.config = config;
            this.local = local;
        }

        public Builder metrics(RoutingMetrics m) {
            this.metrics = m;
            return this;
        }

        /** Replaces the self-consistency probe (e.g. with one reading log-probabilities). */
        public Builder confidenceProbes(Function<Route, ConfidenceProbe> probesByRoute) {
            this.probes = probesByRoute;
            return this;
        }

        public HybridRouter build() {
            return new HybridRouter(this);
        }
    }
}
