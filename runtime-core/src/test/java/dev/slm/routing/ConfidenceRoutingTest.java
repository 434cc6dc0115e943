package dev.slm.routing;

import static dev.slm.routing.ScriptedUpstream.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.engine.Model;
import dev.slm.engine.ModelOptions;
import dev.slm.fixtures.FixtureModel;
import dev.slm.routing.confidence.Confidence;
import dev.slm.routing.confidence.SelfConsistencyProbe;
import dev.slm.routing.local.InProcessAnswerer;
import dev.slm.openai.CompletionRequest;
import dev.slm.openai.CompletionEndpoint;
import dev.slm.routing.upstream.Upstream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Confidence routing on the fixture model (real sampling, fixed seeds): TinyStories continues
 * "Once upon a time" the same way almost every time (agreement 0.66 with 5 samples of 4 tokens on
 * b4916, 1.00 on llama.cpp v0.5.0), and scatters on random characters (about 0.09).
 */
@Timeout(120)
class ConfidenceRoutingTest {
    private static final String CONFIDENT = "Once upon a time";
    private static final String LOST = "xq zv 9#k @@ ]] plo";

    private static Model model;
    private static InProcessAnswerer local;
    private ScriptedUpstream upstream;

    @BeforeAll
    static void open() {
        model = Model.open(FixtureModel.path(), ModelOptions.defaults().withThreads(1));
        local = new InProcessAnswerer(Map.of("tiny", model));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @BeforeEach
    void start() throws IOException {
        upstream = new ScriptedUpstream(ScriptedUpstream.answers("from upstream"));
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    private static CompletionRequest completion(String prompt) {
        ObjectNode body = JSON.createObjectNode().put("model", "auto").put("prompt", prompt).put("max_tokens", 4);
        return new CompletionRequest(CompletionEndpoint.COMPLETIONS, body, Map.of());
    }

    private HybridRouter router(double threshold) {
        Route route = Route.builder("auto").models("auto").localModel("tiny")
                .upstream(Upstream.of("big", upstream.baseUrl(), "big-model"))
                .confidence(ConfidenceRule.below(threshold)).build();
        return HybridRouter.builder(new RoutingConfig(Map.of(), List.of(route)), local).build();
    }

    @Test
    void aConfidentContinuationStaysLocalAndAnUnsureOneEscalates() {
        try (HybridRouter router = router(0.4)) {
            RouteDecision confident = router.decide(completion(CONFIDENT));
            assertEquals("local", confident.label(), confident.reason());
            assertTrue(confident.reason().matches("local confidence [01]\\.\\d\\d reaches 0\\.40 \\(5 samples of 4 tokens"
                    + " agree [01]\\.\\d\\d\\)"), confident.reason());

            RoutedResponse lost = router.complete(completion(LOST));
            assertEquals("upstream:big", lost.decision().label(), lost.decision().reason());
            assertTrue(lost.decision().reason().startsWith("local confidence 0.") && lost.decision().reason()
                    .contains(" is below 0.40 "), lost.decision().reason());
            assertEquals("from upstream", lost.body().at("/choices/0/text").asText());
        }
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void thresholdZeroNeverEscalatesAndThresholdOneAlwaysDoesUnlessAllSamplesAgree() {
        try (HybridRouter never = router(0)) {
            assertTrue(never.decide(completion(CONFIDENT)).isLocal());
            assertTrue(never.decide(completion(LOST)).isLocal());
        }
        try (HybridRouter always = router(1)) {
            RouteDecision confident = always.decide(completion(CONFIDENT));
            assertEquals(confident.reason().contains("agree 1.00") ? "local" : "upstream:big", confident.label(),
                    confident.reason());
            assertEquals("upstream:big", always.decide(completion(LOST)).label());
        }
        assertEquals(0, upstream.requestCount(), "deciding sends nothing");
    }

    @Test
    void theSameRequestGetsTheSameScore() {
        SelfConsistencyProbe probe = new SelfConsistencyProbe(local, 5, 4, 0.8f);
        CompletionRequest request = completion(CONFIDENT).withModel("tiny");
        Confidence first = probe.measure(request);
        assertEquals(first, probe.measure(request));
        assertTrue(first.score() > probe.measure(completion(LOST).withModel("tiny")).score());
    }

    @Test
    void agreementIsTheMeanSharedBeginningOfEveryPair() {
        assertEquals(1.0, SelfConsistencyProbe.agreement(List.of("abc", "abc", "abc")));
        assertEquals(0.0, SelfConsistencyProbe.agreement(List.of("abc", "xyz")));
        // Pairs: (abcd, abcd) = 1, (abcd, abxy) = 2/4, (abcd, abxy) = 2/4.
        assertEquals(2.0 / 3, SelfConsistencyProbe.agreement(List.of("abcd", "abcd", "abxy")), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new SelfConsistencyProbe(local, 1, 4, 0.8f));
        assertThrows(IllegalArgumentException.class, () -> new SelfConsistencyProbe(local, 3, 4, 0));
    }
}
