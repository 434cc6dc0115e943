package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Runners that die, and runners that come and go: the server stays up and returns their memory. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@EnabledOnOs(value = OS.LINUX, disabledReason = "measures processes and memory through /proc")
class RunnerFaultTest {
    private static final String STORIES_PID = "slm_runner_pid{model=\"stories\"}";

    private TestServer t;

    @BeforeAll
    void start() {
        t = TestServer.start("""
                [model.stories]
                path = ${MODEL}
                parallel = 2
                preload = true
                [model.cycle]
                path = ${MODEL}
                keep_alive = 0
                """);
        TestServer.await("the preloaded model", Duration.ofSeconds(60), () -> t.get("/ready").statusCode() == 200);
    }

    @AfterAll
    void stop() {
        t.close();
    }

    @Test
    void preloadedModelIsLoadedBeforeAnyRequest() {
        assertEquals(1, t.metric("slm_model_loaded{model=\"stories\"}"));
        assertEquals(0, t.metric("slm_model_loaded{model=\"cycle\"}"), "models without preload load on first use");
    }

    /** Whatever native code prints to stdout lands on stderr: file descriptor 1 of a runner is its stderr. */
    @Test
    void runnerStdoutIsNotTheProtocolPipe() throws IOException {
        long pid = runnerPid();
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        assertEquals(Files.readSymbolicLink(fds.resolve("2")), Files.readSymbolicLink(fds.resolve("1")));
    }

    @Test
    void runnerKilledMidStreamFailsThatStreamOnlyAndTheNextRequestGetsANewRunner() throws Exception {
        long pid = runnerPid();
        double crashes = t.metric("slm_runner_crashes_total{model=\"stories\"}");
        double restarts = t.metric("slm_runner_restarts_total{model=\"stories\"}");
        List<String> after = new ArrayList<>();
        try (RawHttpStream s = RawHttpStream.post(t.base, "/v1/completions", TestServer.completionBody("stories", 1500, true))) {
            assertEquals(200, s.status);
            assertTrue(s.nextChunk().startsWith("data: "));
            ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL
            String chunk;
            while ((chunk = s.nextChunk()) != null) {
                after.add(chunk);
            }
        }
        String last = after.getLast();
        assertTrue(last.startsWith("event: error\ndata: {\"error\""), "the stream ends with an error event: " + last);
        JsonNode error = TestServer.JSON.readTree(last.substring(last.indexOf("data: ") + 6)).get("error");
        assertEquals("runner_crashed", error.get("code").asText());
        assertTrue(error.get("message").asText().contains("signal 9"), error.toString());
        assertTrue(after.stream().noneMatch(c -> c.contains("[DONE]")), "a failed stream is not marked done");

        assertEquals(200, t.get("/health").statusCode(), "the server is still up");
        HttpResponse<String> next = t.post("/v1/completions", TestServer.completionBody("stories", 8, false));
        assertEquals(200, next.statusCode(), next.body());
        assertTrue(TestServer.json(next).at("/choices/0/text").asText().startsWith(", there was"));
        assertNotEquals(pid, runnerPid(), "a new runner answered");
        assertEquals(crashes + 1, t.metric("slm_runner_crashes_total{model=\"stories\"}"));
        assertEquals(restarts + 1, t.metric("slm_runner_restarts_total{model=\"stories\"}"));
        assertEquals(0, t.metric("slm_slots_active{model=\"stories\"}"), "the failed request gave its slot back");
    }

    @Test
    void runnerKilledDuringAWholeAnswerGives503() throws Exception {
        t.post("/v1/completions", TestServer.completionBody("stories", 2, false));
        long pid = runnerPid();
        HttpRequest request = HttpRequest.newBuilder(t.base.resolve("/v1/completions")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.completionBody("stories", 1900, false))).build();
        CompletableFuture<HttpResponse<String>> pending = t.http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        TestServer.await("the request to take a slot", Duration.ofSeconds(30),
                () -> t.metric("slm_slots_active{model=\"stories\"}") == 1 || pending.isDone());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        HttpResponse<String> r = pending.get();
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("runner_crashed", TestServer.json(r).at("/error/code").asText());
        assertEquals(200, t.post("/v1/completions", TestServer.completionBody("stories", 2, false)).statusCode());
    }

    @Test
    void loadUnloadReload20TimesReturnsTheMemory() throws IOException {
        List<Long> heap = new ArrayList<>();
        List<Long> rss = new ArrayList<>();
        long available = memAvailable();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = t.post("/v1/completions", TestServer.completionBody("cycle", 4, false));
            assertEquals(200, r.statusCode(), r.body());
            TestServer.await("model 'cycle' to unload", Duration.ofSeconds(30),
                    () -> t.metric("slm_model_loaded{model=\"cycle\"}") == 0);
            long storiesPid = runnerPid();
            TestServer.await("the 'cycle' runner process to be gone", Duration.ofSeconds(30),
                    () -> ProcessHandle.current().descendants().noneMatch(p -> p.isAlive() && p.pid() != storiesPid));
            System.gc();
            heap.add(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            rss.add(ownRss());
        }
        assertEquals(20, t.metric("slm_runner_starts_total{model=\"cycle\"}"));
        assertEquals(0, t.metric("slm_memory_reserved_bytes") - t.metric("slm_model_memory_estimate_bytes{model=\"stories\"}"),
                "only the preloaded model holds budget");
        System.out.println("server heap after GC: " + heap + "\nserver RSS: " + rss
                + "\nMemAvailable change over 20 cycles: " + (memAvailable() - available) / 1048576 + " MiB (whole machine, informative)");
        // The first cycles pay for JIT and class loading; from the fifth on the server stays flat.
        assertTrue(heap.getLast() - heap.get(4) < 16L << 20, "server heap grows with loads: " + heap);
        assertTrue(rss.getLast() - rss.get(4) < 64L << 20, "server RSS grows with loads: " + rss);
    }

    private long runnerPid() {
        TestServer.await("the 'stories' runner", Duration.ofSeconds(60), () -> t.metric(STORIES_PID) > 0);
        return (long) t.metric(STORIES_PID);
    }

    private static long ownRss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS");
    }

    private static long memAvailable() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemAvailable:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return 0;
    }
}
