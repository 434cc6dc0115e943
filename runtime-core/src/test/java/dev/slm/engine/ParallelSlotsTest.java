package dev.slm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.fixtures.FixtureModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Several threads generating on one model: with one slot they queue, with several they share batches. */
class ParallelSlotsTest {
    private static final List<String> PROMPTS = List.of("Once upon a time", "One day, a little boy", "The cat", "Lily and Ben");
    private static final int THREADS = 8;

    @Test
    void withOneSlotConcurrentRequestsQueueAndGetExactlyTheirOwnAnswer() throws Exception {
        try (Model model = Model.open(FixtureModel.path(), ModelOptions.defaults().withParallel(1).withContextSize(512))) {
            List<String> alone = answersOneByOne(model);
            for (int round = 0; round < 3; round++) {
                List<String> together = answersAllAtOnce(model);
                for (int i = 0; i < THREADS; i++) {
                    assertEquals(alone.get(i % PROMPTS.size()), together.get(i), "thread " + i + " round " + round);
                }
            }
        }
    }

    /**
     * With several slots llama.cpp decodes the requests in one batch. Batched matrix products round
     * differently from single ones, so a greedy answer may take another near-tie token, even the first
     * one on this tiny model (llama.cpp's own server behaves the same). What must hold: no request
     * receives tokens of another. The four prompts' answers differ from their first words, so an
     * answer that opens like another prompt's answer would show mixing.
     */
    @Test
    void withTwoSlotsConcurrentRequestsNeverReceiveAnotherRequestsTokens() throws Exception {
        try (Model model = Model.open(FixtureModel.path(), ModelOptions.defaults().withParallel(2).withContextSize(512))) {
            List<String> alone = answersOneByOne(model);
            for (int a = 0; a < PROMPTS.size(); a++) {
                for (int b = a + 1; b < PROMPTS.size(); b++) {
                    assertTrue(commonPrefix(alone.get(a), alone.get(b)) < 16, "the prompts' answers must differ early");
                }
            }
            for (int round = 0; round < 3; round++) {
                List<String> together = answersAllAtOnce(model);
                for (int i = 0; i < THREADS; i++) {
                    int own = i % PROMPTS.size();
                    assertFalse(together.get(i).isBlank(), "thread " + i + " got no text");
                    for (int other = 0; other < PROMPTS.size(); other++) {
                        assertTrue(other == own || commonPrefix(alone.get(other), together.get(i)) < 24,
                                "thread " + i + " (prompt '" + PROMPTS.get(own) + "') got the answer of '"
                                        + PROMPTS.get(other) + "': " + together.get(i));
                    }
                }
            }
        }
    }

    private static List<String> answersOneByOne(Model model) {
        List<String> answers = new ArrayList<>();
        for (String p : PROMPTS) {
            answers.add(model.generate(p, SamplingOptions.greedy().withMaxTokens(48)).await().text());
        }
        return answers;
    }

    private static List<String> answersAllAtOnce(Model model) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                String p = PROMPTS.get(i % PROMPTS.size());
                futures.add(pool.submit((Callable<String>) () ->
                        model.generate(p, SamplingOptions.greedy().withMaxTokens(48)).await().text()));
            }
            List<String> answers = new ArrayList<>();
            for (Future<String> f : futures) {
                answers.add(f.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int commonPrefix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return n;
    }
}
