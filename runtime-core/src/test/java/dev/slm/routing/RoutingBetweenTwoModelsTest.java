package dev.slm.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.engine.Model;
import dev.slm.engine.ModelOptions;
import dev.slm.fixtures.FixtureModel;
import dev.slm.routing.local.InProcessAnswerer;
import dev.slm.openai.CompletionRequest;
import dev.slm.openai.CompletionEndpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's set-up end to end, until {@code slm serve} exists: a local model "tiny", and as the
 * upstream a real OpenAI-compatible HTTP server on loopback answering with the fixture model under
 * another name ("big"), both with real inference. Requests that meet the rule are answered by the
 * second, the rest locally, as the route labels and the second server's request count show.
 */
@Timeout(60)
class RoutingBetweenTwoModelsTest {
    private static Model model;
    private static ScriptedUpstream bigServer;
    private static HybridRouter router;

    @BeforeAll
    static void start() throws IOException {
        model = Model.open(FixtureModel.path(), ModelOptions.defaults().withThreads(1));
        bigServer = new ScriptedUpstream(ScriptedUpstream.servedBy(new InProcessAnswerer(Map.of("big", model))));
        String config = """
                upstream.big.url=%s
                upstream.big.model=big
                route.auto.models=auto
                route.auto.local=tiny
                route.auto.upstream=big
                route.auto.escalate.prompt-chars=40
                route.auto.fallback-to-local=false
                """.formatted(bigServer.baseUrl());
        router = HybridRouter.builder(RoutingConfig.parse(RoutingConfigTest.properties(config), k -> null, null),
                new InProcessAnswerer(Map.of("tiny", model))).build();
    }

    @AfterAll
    static void stop() {
        router.close();
        bigServer.close();
        model.close();
    }

    private static ObjectNode story(String prompt, boolean stream) {
        return ScriptedUpstream.JSON.createObjectNode().put("model", "auto").put("prompt", prompt)
                .put("max_tokens", 12).put("temperature", 0).put("stream", stream);
    }

    private static CompletionRequest completion(ObjectNode body) {
        return new CompletionRequest(CompletionEndpoint.COMPLETIONS, body, Map.of());
    }

    @Test
    void shortPromptsAreAnsweredHereLongOnesByTheSecondServer() {
        int before = bigServer.requestCount();
        RoutedResponse near = router.complete(completion(story("Once upon a time", false)));
        assertEquals("local", near.decision().label());
        assertEquals("tiny", near.body().path("model").asText());
        assertTrue(near.body().at("/choices/0/text").asText().startsWith(", there was"), near.body().toString());
        assertEquals(before, bigServer.requestCount());

        String longPrompt = "Once upon a time, in a small town, there lived a girl named Lily.";
        RoutedResponse far = router.complete(completion(story(longPrompt, false)));
        assertEquals("upstream:big", far.decision().label());
        assertEquals("the request is " + longPrompt.length() + " characters, over the limit of 40",
                far.decision().reason());
        assertEquals("big", far.body().path("model").asText(), "answered by the second server's model");
        assertEquals("upstream:big", far.body().at("/usage/slm_route").asText());
        assertTrue(far.body().at("/usage/completion_tokens").asInt() > 0);
        assertFalse(far.body().at("/choices/0/text").asText().isEmpty());
        assertEquals(before + 1, bigServer.requestCount());
    }

    @Test
    void bothRoutesStream() {
        int before = bigServer.requestCount();
        for (String prompt : List.of("Once upon a time", "Once upon a time, in a small town, there lived a girl.")) {
            try (RoutedStream s = router.stream(completion(story(prompt, true)))) {
                List<ObjectNode> chunks = new ArrayList<>();
                String text = HybridRouterTest.streamedText(s, chunks);
                assertFalse(text.isEmpty(), s.decision().label());
                assertTrue(chunks.stream().noneMatch(c -> c.has("usage")), "the client did not ask for usage");
            }
        }
        assertEquals(before + 1, bigServer.requestCount());
        String metrics = router.metrics().prometheusText();
        assertTrue(metrics.contains("slm_routing_requests_total{route=\"auto\",target=\"upstream\",upstream=\"big\"}"), metrics);
        assertTrue(metrics.contains("slm_routing_tokens_total{route=\"auto\",target=\"local\",type=\"completion\"}"), metrics);
    }
}
