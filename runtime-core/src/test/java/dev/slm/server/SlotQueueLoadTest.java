package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Slots, the queue and 429, under a bounded load on loopback; and a client that hangs up. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlotQueueLoadTest {
    private static final int SLOTS = 2;
    private static final int QUEUE = 2;
    private static final int CLIENTS = 8;
    private static final int ROUNDS = 3;
    private static final int TOKENS = 200;

    private TestServer t;

    @BeforeAll
    void start() {
        t = TestServer.start("""
                [model.stories]
                path = ${MODEL}
                parallel = 2
                queue = 2
                keep_alive = never
                """);
    }

    @AfterAll
    void stop() {
        t.close();
    }

    private record Outcome(int status, String text, String retryAfter, String errorCode) {
    }

    @Test
    void moreStreamsThanSlotsAndQueueGet429AndNoneIsCorrupted() throws Exception {
        String expected = TestServer.json(t.post("/v1/completions", TestServer.completionBody("stories", TOKENS, false)))
                .at("/choices/0/text").asText();
        List<Long> heap = new ArrayList<>();
        List<Double> runnerRss = new ArrayList<>();
        int rejectedTotal = 0;
        for (int round = 0; round < ROUNDS; round++) {
            List<Outcome> outcomes = round(expected);
            long ok = outcomes.stream().filter(o -> o.status() == 200).count();
            long rejected = outcomes.stream().filter(o -> o.status() == 429).count();
            assertEquals(CLIENTS, ok + rejected, "every request is either served or refused with 429: " + outcomes);
            assertTrue(ok >= SLOTS, "at least the slots are served: " + outcomes);
            for (Outcome o : outcomes) {
                if (o.status() == 200) {
                    assertEquals(expected, o.text(), "a concurrent greedy stream equals the single-request answer");
                } else {
                    assertEquals("1", o.retryAfter(), "429 carries Retry-After");
                    assertEquals("queue_full", o.errorCode());
                }
            }
            rejectedTotal += (int) rejected;
            TestServer.await("every slot free and the queue empty", Duration.ofSeconds(10),
                    () -> t.metric("slm_slots_active{model=\"stories\"}") == 0 && t.metric("slm_queue_depth{model=\"stories\"}") == 0);
            System.gc();
            heap.add(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            runnerRss.add(t.metric("slm_runner_resident_memory_bytes{model=\"stories\"}"));
        }
        assertTrue(rejectedTotal > 0, "with " + CLIENTS + " clients for " + (SLOTS + QUEUE) + " places some must be refused");
        assertTrue(t.metric("slm_errors_total{code=\"queue_full\"}") >= rejectedTotal);
        System.out.println("server heap after GC per round: " + heap + ", runner RSS per round: " + runnerRss);
        // Round 1 pays for first-time allocations (JIT, KV cache pages); after it memory stays flat.
        assertTrue(heap.getLast() - heap.get(1) < 32L << 20, "server heap grows across rounds: " + heap);
        assertTrue(runnerRss.getLast() - runnerRss.get(1) < 32L << 20, "runner memory grows across rounds: " + runnerRss);
    }

    private List<Outcome> round(String expected) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Outcome>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(CLIENTS)) {
            for (int i = 0; i < CLIENTS; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return streamOnce();
                }));
            }
            go.countDown();
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                outcomes.add(f.get());
            }
            return outcomes;
        }
    }

    private Outcome streamOnce() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(t.base.resolve("/v1/completions"))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.completionBody("stories", TOKENS, true))).build();
        HttpResponse<java.util.stream.Stream<String>> r = t.http.send(request, HttpResponse.BodyHandlers.ofLines());
        List<String> lines = r.body().toList();
        if (r.statusCode() != 200) {
            JsonNode error = TestServer.JSON.readTree(String.join("\n", lines));
            return new Outcome(r.statusCode(), null, r.headers().firstValue("Retry-After").orElse(null), error.at("/error/code").asText());
        }
        StringBuilder text = new StringBuilder();
        boolean done = false;
        for (String line : lines) {
            if (line.equals("data: [DONE]")) {
                done = true;
            } else if (line.startsWith("data: ")) {
                text.append(TestServer.JSON.readTree(line.substring(6)).at("/choices/0/text").asText());
            }
        }
        assertTrue(done, "a served stream ends with [DONE]");
        return new Outcome(200, text.toString(), null, null);
    }

    /**
     * llama.cpp really runs the slots side by side: a short request finishes while a long one that
     * started first is still generating. Were they queued natively, it would finish only after it.
     */
    @Test
    void slotsGenerateAtTheSameTime() throws Exception {
        t.post("/v1/completions", TestServer.completionBody("stories", 2, false)); // loaded
        try (RawHttpStream longOne = RawHttpStream.post(t.base, "/v1/completions", TestServer.completionBody("stories", 1500, true))) {
            assertTrue(longOne.nextChunk().startsWith("data: "));
            HttpResponse<String> shortOne = t.post("/v1/completions", TestServer.completionBody("stories", 3, false));
            assertEquals(200, shortOne.statusCode());
            assertEquals(1, t.metric("slm_slots_active{model=\"stories\"}"), "the long generation is still running");
        }
        TestServer.await("the slots to come free", Duration.ofSeconds(10), () -> t.metric("slm_slots_active{model=\"stories\"}") == 0);
    }

    @Test
    void clientThatHangsUpMidStreamFreesItsSlotAtOnce() throws Exception {
        t.post("/v1/completions", TestServer.completionBody("stories", 2, false)); // loaded
        double disconnects = t.metric("slm_client_disconnects_total");
        double completed = t.metric("slm_completion_tokens_total{model=\"stories\"}");
        try (RawHttpStream s = RawHttpStream.post(t.base, "/v1/completions", TestServer.completionBody("stories", 1000, true))) {
            assertEquals(200, s.status);
            assertTrue(s.nextChunk().startsWith("data: "));
            assertEquals(1, t.metric("slm_slots_active{model=\"stories\"}"), "the stream holds a slot");
        }
        TestServer.await("the slot of the abandoned stream to come free", Duration.ofSeconds(10),
                () -> t.metric("slm_slots_active{model=\"stories\"}") == 0);
        assertEquals(disconnects + 1, t.metric("slm_client_disconnects_total"), "the server saw the client go");
        assertEquals(completed, t.metric("slm_completion_tokens_total{model=\"stories\"}"),
                "the abandoned generation was cancelled, not completed");
        assertEquals(200, t.post("/v1/completions", TestServer.completionBody("stories", 2, false)).statusCode());
    }
}
