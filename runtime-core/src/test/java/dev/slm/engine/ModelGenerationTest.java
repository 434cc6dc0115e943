package dev.slm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import dev.slm.fixtures.FixtureModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real inference on the fixture model (TinyStories, 260K parameters). */
class ModelGenerationTest {
    private static final String PROMPT = FixtureModel.PROMPT;
    private static Model model;

    @BeforeAll
    static void open() {
        model = Model.open(FixtureModel.path(), ModelOptions.defaults());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void greedyGenerationIsDeterministicAndWritesTheKnownStory() {
        SamplingOptions greedy = SamplingOptions.greedy().withMaxTokens(40);
        Completion first = model.generate(PROMPT, greedy).await();
        Completion second = model.generate(PROMPT, greedy).await();
        assertEquals(first.text(), second.text());
        assertTrue(first.text().startsWith(FixtureModel.GREEDY_CONTINUATION), first.text());
        assertTrue(first.text().contains("play"), first.text());
    }

    @Test
    void reportsUsageAsLlamaCppCountsIt() {
        Completion c = model.generate(PROMPT, SamplingOptions.greedy().withMaxTokens(7)).await();
        // "Once upon a time" is 4 SentencePiece tokens, plus the BOS token.
        assertEquals(5, c.usage().promptTokens());
        assertEquals(7, c.usage().completionTokens());
        assertEquals(StopReason.LENGTH, c.stopReason());
        assertTrue(c.timings().total().compareTo(c.timings().timeToFirstToken()) >= 0);
        assertTrue(c.timings().tokensPerSecond() > 0);
    }

    @Test
    void tokensStreamOneByOneBeforeTheEnd() {
        Generation g = model.generate(PROMPT, SamplingOptions.greedy().withMaxTokens(60));
        List<Long> arrivals = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        Completion end = null;
        for (GenerationEvent e : g) {
            switch (e) {
                case GenerationEvent.Token t -> {
                    arrivals.add(System.nanoTime());
                    text.append(t.text());
                }
                case Completion c -> end = c;
            }
        }
        long finished = System.nanoTime();
        assertTrue(arrivals.size() > 20, "pieces: " + arrivals.size());
        assertTrue(arrivals.getFirst() < arrivals.getLast() && arrivals.getLast() <= finished);
        assertEquals(text.toString(), end.text());
    }

    @Test
    void cancelFromAnotherThreadEndsTheGenerationPromptly() throws Exception {
        Generation g = model.generate(PROMPT, SamplingOptions.defaults().withSeed(7));
        CountDownLatch firstToken = new CountDownLatch(1);
        AtomicLong cancelledAt = new AtomicLong();
        Thread canceller = Thread.ofPlatform().start(() -> {
            try {
                firstToken.await();
            } catch (InterruptedException e) {
                return;
            }
            cancelledAt.set(System.nanoTime());
            g.cancel();
        });
        Completion c = g.forEachToken(t -> firstToken.countDown());
        long seen = System.nanoTime();
        canceller.join();
        assertEquals(StopReason.CANCELLED, c.stopReason());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(seen - cancelledAt.get()) < 1000, "cancel took too long");
        // The model is still usable afterwards, and the next answer is complete.
        Completion next = model.generate(PROMPT, SamplingOptions.greedy().withMaxTokens(10)).await();
        assertTrue(next.text().startsWith(", there was"), next.text());
    }

    @Test
    void stopStringsEndTheAnswerAndAreNotPartOfIt() {
        Completion c = model.generate(PROMPT, SamplingOptions.greedy().withStop(List.of("Lily"))).await();
        assertEquals(StopReason.STOP_STRING, c.stopReason());
        assertEquals(", there was a little girl named ", c.text());
    }

    @Test
    void maxTokensLimitsTheAnswer() {
        Completion c = model.generate(PROMPT, SamplingOptions.greedy().withMaxTokens(3)).await();
        assertEquals(StopReason.LENGTH, c.stopReason());
        assertEquals(3, c.usage().completionTokens());
        assertEquals(", there was", c.text());
    }

    @Test
    void aGbnfGrammarConstrainsTheAnswer() {
        Completion c = model.generate("Is the sky blue? Answer:",
                SamplingOptions.greedy().withGrammar("root ::= (\"yes\" | \"no\") \".\"")).await();
        assertTrue(c.text().equals("yes.") || c.text().equals("no."), c.text());
        assertEquals(StopReason.EOS, c.stopReason());
    }

    @Test
    void aJsonSchemaGivesParseableJsonThatMatchesIt() throws Exception {
        String schema = """
                {"type": "object",
                 "properties": {"happy": {"type": "boolean"}, "color": {"enum": ["red", "blue"]},
                                "age": {"type": "integer", "minimum": 1, "maximum": 9}},
                 "required": ["happy", "color", "age"], "additionalProperties": false}""";
        Completion c = model.generate("Lily's favourite ball:", SamplingOptions.greedy().withJsonSchema(schema)
                .withMaxTokens(200)).await();
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(c.text());
        assertTrue(json.get("happy").isBoolean(), c.text());
        assertTrue(List.of("red", "blue").contains(json.get("color").asText()), c.text());
        assertTrue(json.get("age").isInt() && json.get("age").asInt() >= 1 && json.get("age").asInt() <= 9, c.text());
        assertEquals(3, json.size(), c.text());
    }

    @Test
    void aBrokenGrammarOrSchemaIsAOneLineError() {
        SlmException grammar = assertThrows(SlmException.class,
                () -> model.generate(PROMPT, SamplingOptions.greedy().withGrammar("root ::= (")).await());
        assertFalse(grammar.getMessage().contains("\n"), grammar.getMessage());
        SlmException schema = assertThrows(SlmException.class,
                () -> model.generate(PROMPT, SamplingOptions.greedy().withJsonSchema("{not json")).await());
        assertTrue(schema.getMessage().contains("not valid JSON"), schema.getMessage());
    }

    @Test
    void thePublisherDeliversTokensThenTheCompletion() throws Exception {
        Generation g = model.generate(PROMPT, SamplingOptions.greedy().withMaxTokens(12));
        List<GenerationEvent> received = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        g.publisher().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(GenerationEvent item) {
                received.add(item);
            }

            @Override
            public void onError(Throwable t) {
                done.countDown();
            }

            @Override
            public void onComplete() {
                done.countDown();
            }
        });
        assertTrue(done.await(30, TimeUnit.SECONDS));
        Completion c = assertInstanceOf(Completion.class, received.getLast());
        String streamed = received.stream().filter(e -> e instanceof GenerationEvent.Token)
                .map(e -> ((GenerationEvent.Token) e).text()).collect(Collectors.joining());
        assertEquals(c.text(), streamed);
        assertEquals(12, c.usage().completionTokens());
    }

    @Test
    void theStreamViewEndsWithTheCompletion() {
        try (var events = model.generate(PROMPT, SamplingOptions.greedy().withMaxTokens(5)).stream()) {
            List<GenerationEvent> all = events.toList();
            assertInstanceOf(Completion.class, all.getLast());
        }
    }

    @Test
    void aGenerationCanBeConsumedOnlyOnce() {
        Generation g = model.generate(PROMPT, SamplingOptions.greedy().withMaxTokens(2));
        g.await();
        g.iterator();
        assertThrows(IllegalStateException.class, g::iterator);
    }

    @Test
    void emptyAndOversizedPromptsAreRejected() {
        assertThrows(SlmException.class, () -> model.generate("  ", SamplingOptions.greedy()));
        String huge = "Once upon a time ".repeat(2000);
        SlmException e = assertThrows(SlmException.class, () -> model.generate(huge, SamplingOptions.greedy()));
        assertTrue(e.getMessage().contains("context holds 2048"), e.getMessage());
    }

    @Test
    void theContextIsCappedAtWhatTheModelAllows() {
        SlmException e = assertThrows(SlmException.class,
                () -> Model.open(FixtureModel.path(), ModelOptions.defaults().withContextSize(4096)));
        assertTrue(e.getMessage().contains("larger than this model allows (2048 tokens)"), e.getMessage());
        assertEquals(2048, model.options().contextSize());
        assertTrue(model.options().threads() > 0, "threads are always set explicitly");
    }

    @Test
    void embeddingsNeedAModelOpenedForThem() {
        assertThrows(SlmException.class, () -> model.embed("hello"));
    }
}
