package dev.slm.routing;

import static dev.slm.routing.ScriptedUpstream.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.engine.Model;
import dev.slm.engine.ModelOptions;
import dev.slm.fixtures.FixtureModel;
import dev.slm.routing.local.InProcessAnswerer;
import dev.slm.routing.local.LocalAnswerer;
import dev.slm.routing.local.LocalFailureException;
import dev.slm.openai.CompletionRequest;
import dev.slm.openai.CompletionEndpoint;
import dev.slm.openai.OpenAiShape;
import dev.slm.routing.upstream.UpstreamException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The router with the fixture model answering locally (real inference) and a scripted upstream on
 * loopback: what the upstream actually receives, the decisions and their reasons, fallbacks, metrics.
 */
@Timeout(60)
class HybridRouterTest {
    private static final String CONFIG = """
            upstream.big.url=%URL%
            upstream.big.model=big-model
            upstream.big.timeout=10s
            upstream.big.idle-timeout=10s
            upstream.big.cost-per-1k-input=1.0
            upstream.big.cost-per-1k-output=2.0
            route.auto.models=auto
            route.auto.local=tiny
            route.auto.upstream=big
            route.auto.escalate.prompt-chars=200
            route.auto.escalate.models=big
            route.auto.escalate.header=x-slm-route: upstream
            route.auto.escalate.metadata=route: upstream
            route.auto.escalate.regex=(?i)\\\\bcontract\\\\b
            route.auto.redact=email,phone,card,iban
            route.auto.redact.pattern.EMPLOYEE=EMP-\\\\d{6}
            """;

    private static Model model;
    private ScriptedUpstream upstream;
    private HybridRouter router;

    @BeforeAll
    static void open() {
        model = Model.open(FixtureModel.path(), ModelOptions.defaults().withThreads(1));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @BeforeEach
    void start() throws IOException {
        upstream = new ScriptedUpstream(ScriptedUpstream.echoes());
    }

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        upstream.close();
    }

    private HybridRouter router(String extra) throws IOException {
        return router(extra, new InProcessAnswerer(Map.of("tiny", model)));
    }

    private HybridRouter router(String extra, LocalAnswerer local) throws IOException {
        String text = (CONFIG + extra).replace("%URL%", upstream.baseUrl().toString());
        router = HybridRouter.builder(RoutingConfig.parse(RoutingConfigTest.properties(text), k -> null, null), local)
                .build();
        return router;
    }

    static ObjectNode chat(String model, String text) {
        ObjectNode body = JSON.createObjectNode().put("model", model).put("max_tokens", 8).put("temperature", 0);
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return body;
    }

    static CompletionRequest request(ObjectNode body, String... headers) {
        Map<String, String> h = new java.util.HashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            h.put(headers[i], headers[i + 1]);
        }
        return new CompletionRequest(CompletionEndpoint.CHAT_COMPLETIONS, body, h);
    }

    /** The text of a whole stream (chat or completion chunks); the chunks are added to {@code chunks}. */
    static String streamedText(RoutedStream stream, List<ObjectNode> chunks) {
        StringBuilder text = new StringBuilder();
        for (ObjectNode c = stream.next(); c != null; c = stream.next()) {
            chunks.add(c);
            text.append(OpenAiShape.chunkText(c));
        }
        return text.toString();
    }

    @Test
    void aRoutineRequestIsAnsweredLocallyAndNothingIsSent() throws IOException {
        router("");
        RoutedResponse r = router.complete(request(chat("auto", "Once upon a time")));
        assertTrue(r.decision().isLocal());
        assertEquals("no escalation rule matched", r.decision().reason());
        assertEquals("local", r.body().at("/usage/slm_route").asText());
        assertEquals("tiny", r.body().path("model").asText());
        assertFalse(r.body().at("/choices/0/message/content").asText().isEmpty());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void eachRuleEscalatesAndSaysWhy() throws IOException {
        router("");
        ObjectNode tagged = chat("auto", "hello");
        tagged.putObject("metadata").put("route", "upstream");
        record Case(CompletionRequest request, String reason) {
        }
        List<Case> cases = List.of(
                new Case(request(chat("auto", "x".repeat(201))), "the request is 201 characters, over the limit of 200"),
                new Case(request(chat("big", "hello")), "the request asks for model 'big'"),
                new Case(request(chat("auto", "hello"), "X-SLM-Route", "upstream"), "header x-slm-route is 'upstream'"),
                new Case(request(tagged), "metadata route is 'upstream'"),
                new Case(request(chat("auto", "Check this Contract.")), "the request matches /(?i)\\bcontract\\b/"));
        for (Case c : cases) {
            RoutedResponse r = router.complete(c.request());
            assertEquals("upstream:big", r.decision().label(), c.reason());
            assertEquals(c.reason(), r.decision().reason());
            assertEquals("upstream:big", r.body().at("/usage/slm_route").asText());
            assertTrue(r.body().at("/choices/0/message/content").asText().startsWith("You said: "));
            ScriptedUpstream.Received got = upstream.last();
            assertEquals("/v1/chat/completions", got.path());
            assertEquals("big-model", got.json().path("model").asText(), "the upstream's model is asked for");
            assertNull(got.header("x-slm-route"), "client headers are not forwarded");
        }
        assertEquals(cases.size(), upstream.requestCount());
    }

    @Test
    void aTokenLimitCountsWithTheLocalModelsTokenizer() throws IOException {
        router("route.auto.escalate.prompt-tokens=10\n");
        RoutedResponse r = router.complete(request(chat("auto", "Once upon a time there was a little girl named Lily")));
        assertTrue(r.decision().reason().matches("the request is \\d+ tokens, over the limit of 10"), r.decision().reason());
        assertTrue(router.complete(request(chat("auto", "Once upon a time"))).decision().isLocal());
    }

    @Test
    void aLocalOnlyRouteNeverContactsTheUpstreamWhateverMatches() throws IOException {
        router("""
                route.vault.models=secret,ghost
                route.vault.upstream=big
                route.vault.privacy=local-only
                route.vault.local=tiny
                route.vault.escalate.prompt-chars=5
                route.vault.escalate.header=x-slm-route: upstream
                route.vault.escalate.regex=.
                route.vault.escalate.confidence-below=1
                route.vault.escalate.on-local-failure=model-missing,out-of-memory,queue-full,error
                route.lost.models=lost
                route.lost.upstream=big
                route.lost.privacy=local-only
                route.lost.escalate.on-local-failure=model-missing
                """);
        for (int i = 0; i < 3; i++) {
            RoutedResponse r = router.complete(request(chat("secret", "My contract, mail ann@example.com " + i),
                    "x-slm-route", "upstream"));
            assertEquals("local", r.decision().label());
            assertTrue(r.decision().reason().startsWith("route 'vault' is local-only: nothing leaves this machine"
                    + " (the request is"), r.decision().reason());
        }
        try (RoutedStream s = router.stream(request(chat("ghost", "x".repeat(500)), "x-slm-route", "upstream"))) {
            assertEquals("local", s.decision().label());
            assertFalse(streamedText(s, new ArrayList<>()).isEmpty());
        }
        // The local model is missing and the route would escalate on that, but it is local-only.
        LocalFailureException e = assertThrows(LocalFailureException.class,
                () -> router.complete(request(chat("lost", "hello"))));
        assertEquals(LocalFailureException.Kind.MODEL_MISSING, e.kind());
        assertEquals(0, upstream.requestCount(), "privacy mode sent something out");
        assertFalse(router.metrics().prometheusText().contains("target=\"upstream\""));
    }

    @Test
    void theUpstreamReceivesOnlyPlaceholdersAndTheAnswerGetsTheOriginalsBack() throws IOException {
        router("");
        String secret = "Mail ann@example.com or call +41 44 668 18 00; card 4111 1111 1111 1111,"
                + " IBAN DE89 3704 0044 0532 0130 00, staff EMP-123456. Contract attached.";
        ObjectNode body = chat("auto", secret);
        body.withArray("messages").insertObject(0).put("role", "system")
                .putArray("content").addObject().put("type", "text").put("text", "Staff EMP-123456 asks.");
        RoutedResponse r = router.complete(request(body));
        assertEquals("upstream:big", r.decision().label());

        String sent = upstream.last().rawBody();
        for (String original : List.of("ann@example.com", "668 18 00", "4111", "DE89", "EMP-123456")) {
            assertFalse(sent.contains(original), "sent upstream: " + sent);
        }
        ObjectNode got = upstream.last().json();
        assertEquals("Staff [EMPLOYEE_1] asks.", got.at("/messages/0/content/0/text").asText());
        assertEquals("Mail [EMAIL_1] or call [PHONE_1]; card [CARD_1], IBAN [IBAN_1], staff [EMPLOYEE_1]."
                + " Contract attached.", got.at("/messages/1/content").asText());
        // The upstream echoed the placeholders; the client sees its own data again.
        assertEquals("You said: " + secret, r.body().at("/choices/0/message/content").asText());
    }

    @Test
    void aStreamedAnswerHasPlaceholdersRestoredEvenWhenSplitAcrossChunks() throws IOException {
        router("");
        upstream.then(ScriptedUpstream.streams("Reply to [EM", "AIL_1] about [CA", "RD_1", "] ok [", "x]"));
        try (RoutedStream s = router.stream(request(chat("auto", "Contract: ann@example.com, 4111 1111 1111 1111")))) {
            assertEquals("upstream:big", s.decision().label());
            List<ObjectNode> chunks = new ArrayList<>();
            assertEquals("Reply to ann@example.com about 4111 1111 1111 1111 ok [x]", streamedText(s, chunks));
            assertTrue(chunks.stream().noneMatch(c -> c.has("usage")), "the client did not ask for usage");
        }
        ObjectNode sent = upstream.last().json();
        assertTrue(sent.at("/stream_options/include_usage").asBoolean(), "usage is asked for, to count tokens");
        assertEquals("Contract: [EMAIL_1], [CARD_1]", sent.at("/messages/0/content").asText());
        // Tokens counted from the upstream's usage chunk: 11 prompt, 5 completion (one per piece).
        assertEquals(11, router.metrics().value("slm_routing_tokens_total", "route", "auto", "target", "upstream",
                "upstream", "big", "type", "prompt"));
        assertEquals(5, router.metrics().value("slm_routing_tokens_total", "route", "auto", "target", "upstream",
                "upstream", "big", "type", "completion"));
    }

    @Test
    void aLocalStreamCarriesTheRouteInItsUsageChunkWhenAskedFor() throws IOException {
        router("");
        ObjectNode body = chat("auto", "Once upon a time");
        body.put("stream", true).putObject("stream_options").put("include_usage", true);
        try (RoutedStream s = router.stream(request(body))) {
            assertEquals("local", s.decision().label());
            List<ObjectNode> chunks = new ArrayList<>();
            assertFalse(streamedText(s, chunks).isEmpty());
            ObjectNode last = chunks.getLast();
            assertEquals("local", last.at("/usage/slm_route").asText());
            assertEquals(8, last.at("/usage/completion_tokens").asInt());
            assertEquals("length", chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText(),
                    "8 tokens asked for, 8 written");
        }
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void aMissingLocalModelOrAFullQueueEscalatesWhenTheRouteAllows() throws IOException {
        router("""
                route.gone.models=gone
                route.gone.local=not-installed
                route.gone.upstream=big
                route.stay.models=stay
                route.stay.local=not-installed
                route.stay.upstream=big
                route.stay.escalate.on-local-failure=none
                """, new InProcessAnswerer(Map.of("tiny", model), 1));
        RoutedResponse r = router.complete(request(chat("gone", "hello")));
        assertEquals("upstream:big", r.decision().label());
        assertTrue(r.decision().reason().startsWith("the local model failed (model-missing): no local model"
                + " 'not-installed'"), r.decision().reason());

        LocalFailureException stay = assertThrows(LocalFailureException.class,
                () -> router.complete(request(chat("stay", "hello"))));
        assertEquals(LocalFailureException.Kind.MODEL_MISSING, stay.kind());

        // One request at a time: while a local stream runs, the next request escalates.
        ObjectNode longStory = chat("auto", "Once upon a time");
        longStory.put("max_tokens", 200);
        try (RoutedStream busy = router.stream(request(longStory))) {
            assertEquals("local", busy.decision().label());
            RoutedResponse queued = router.complete(request(chat("auto", "Once upon a time")));
            assertEquals("upstream:big", queued.decision().label());
            assertTrue(queued.decision().reason().startsWith("the local model failed (queue-full)"),
                    queued.decision().reason());
        }
        assertTrue(router.complete(request(chat("auto", "Once upon a time"))).decision().isLocal(),
                "closing the stream frees the slot");
        String metrics = router.metrics().prometheusText();
        assertTrue(metrics.contains("slm_routing_local_failures_total{route=\"auto\",kind=\"queue-full\"} 1"), metrics);
        assertTrue(metrics.contains("slm_routing_local_failures_total{route=\"gone\",kind=\"model-missing\"} 1"), metrics);
    }

    @Test
    void anUpstreamFailureFallsBackToTheLocalAnswerAndSaysSo() throws IOException {
        router("");
        upstream.then(ScriptedUpstream.json(500, "{\"error\":{\"message\":\"model crashed\"}}"),
                ScriptedUpstream.dropsConnection());
        RoutedResponse r = router.complete(request(chat("auto", "Once upon a time"), "x-slm-route", "upstream"));
        assertEquals("local", r.decision().label());
        assertTrue(r.decision().reason().startsWith("header x-slm-route is 'upstream'; but upstream 'big' ("),
                r.decision().reason());
        assertTrue(r.decision().reason().endsWith("answered HTTP 500: model crashed, so answered locally"),
                r.decision().reason());
        assertEquals("local", r.body().at("/usage/slm_route").asText());

        try (RoutedStream s = router.stream(request(chat("auto", "Once upon a time"), "x-slm-route", "upstream"))) {
            assertEquals("local", s.decision().label(), "decided before the first chunk");
            assertTrue(s.decision().reason().contains("the connection failed"), s.decision().reason());
            assertFalse(streamedText(s, new ArrayList<>()).isEmpty());
        }
        String metrics = router.metrics().prometheusText();
        assertTrue(metrics.contains("slm_routing_fallbacks_total{route=\"auto\",upstream=\"big\"} 2"), metrics);
        assertTrue(metrics.contains("slm_routing_upstream_failures_total{upstream=\"big\",kind=\"http_status\"} 1"), metrics);
        assertTrue(metrics.contains("slm_routing_upstream_failures_total{upstream=\"big\",kind=\"connection\"} 1"), metrics);
        assertTrue(metrics.contains("slm_routing_requests_total{route=\"auto\",target=\"local\"} 2"), metrics);
    }

    @Test
    void withoutFallbackAnUpstreamFailureIsAnErrorNamingTheUpstream() throws IOException {
        router("route.auto.fallback-to-local=false\n");
        upstream.then(ScriptedUpstream.text(200, "application/json", "{broken"), ScriptedUpstream.json(502, "{}"));
        UpstreamException e = assertThrows(UpstreamException.class,
                () -> router.complete(request(chat("auto", "a contract"))));
        assertEquals(UpstreamException.Kind.BAD_RESPONSE, e.kind());
        assertTrue(e.getMessage().startsWith("upstream 'big' ("), e.getMessage());
        UpstreamException s = assertThrows(UpstreamException.class,
                () -> router.stream(request(chat("auto", "a contract"))));
        assertEquals(502, s.httpStatus());
        assertFalse(router.metrics().prometheusText().contains("slm_routing_requests_total{"));
    }

    @Test
    void aStreamThatFailsAfterItsFirstChunkIsNotSwitchedToAnotherRoute() throws IOException {
        router("");
        ObjectNode request = chat("auto", "a contract");
        upstream.then(ScriptedUpstream.sseThenCut(List.of(
                ScriptedUpstream.chatChunk(request, true, "Part", null).toString(),
                ScriptedUpstream.chatChunk(request, false, "ial", null).toString())));
        try (RoutedStream s = router.stream(request(request))) {
            assertEquals("upstream:big", s.decision().label());
            assertEquals("Part", s.next().at("/choices/0/delta/content").asText());
            assertEquals("ial", s.next().at("/choices/0/delta/content").asText());
            UpstreamException e = assertThrows(UpstreamException.class, s::next);
            assertEquals(UpstreamException.Kind.CONNECTION, e.kind());
            assertEquals("upstream:big", s.decision().label());
        }
        String metrics = router.metrics().prometheusText();
        assertFalse(metrics.contains("slm_routing_fallbacks_total{"), metrics);
        assertTrue(metrics.contains("slm_routing_requests_total{route=\"auto\",target=\"upstream\",upstream=\"big\"} 1"),
                "the partial answer is still counted: " + metrics);
    }

    @Test
    void aModelNoRouteHandlesIsAnsweredByThatLocalModel() throws IOException {
        router("");
        RoutedResponse r = router.complete(request(chat("tiny", "Once upon a time"), "x-slm-route", "upstream"));
        assertEquals("local", r.decision().label());
        assertEquals("", r.decision().route());
        assertEquals("no route handles model 'tiny'", r.decision().reason());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void metricsCountRequestsTokensAndCostInPrometheusText() throws IOException {
        router("");
        RoutedResponse local = router.complete(request(chat("auto", "Once upon a time")));
        router.complete(request(chat("auto", "a contract")));
        long prompt = local.body().at("/usage/prompt_tokens").asLong();
        long completion = local.body().at("/usage/completion_tokens").asLong();
        String text = router.metrics().prometheusText();
        assertTrue(text.contains("# TYPE slm_routing_requests_total counter\n"), text);
        assertTrue(text.contains("slm_routing_requests_total{route=\"auto\",target=\"local\"} 1\n"), text);
        assertTrue(text.contains("slm_routing_requests_total{route=\"auto\",target=\"upstream\",upstream=\"big\"} 1\n"), text);
        assertTrue(text.contains("slm_routing_tokens_total{route=\"auto\",target=\"local\",type=\"prompt\"} " + prompt + "\n"), text);
        // The scripted upstream reports 11 prompt and 7 completion tokens: 11/1000*1.0 + 7/1000*2.0.
        assertEquals(0.025, sample(text, "slm_routing_upstream_cost_total{route=\"auto\",upstream=\"big\"}"), 1e-12);
        assertEquals(prompt / 1000.0 * 1.0 + completion / 1000.0 * 2.0,
                sample(text, "slm_routing_cost_saved_total{route=\"auto\"}"), 1e-12);
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith("# HELP slm_routing_") || line.startsWith("# TYPE slm_routing_")
                    || line.matches("slm_routing_[a-z_]+(\\{[^}]*})? [0-9.]+"), line);
        }
    }

    private static double sample(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        throw new AssertionError("no " + series + " in\n" + text);
    }
}
