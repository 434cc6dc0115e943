package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** A runner frozen with SIGSTOP is noticed by its heartbeat, killed and replaced; /ready and the metrics say so. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@EnabledOnOs(value = OS.LINUX, disabledReason = "stops a process with kill -STOP")
class RunnerStallTest {
    private static final String PID = "slm_runner_pid{model=\"stories\"}";
    private TestServer t;

    @BeforeAll
    void start() {
        t = TestServer.start("""
                runner_stall_timeout = 2s
                [model.stories]
                path = ${MODEL}
                preload = true
                """);
        TestServer.await("the preloaded model", Duration.ofSeconds(60), () -> t.get("/ready").statusCode() == 200);
    }

    @AfterAll
    void stop() {
        t.close();
    }

    @Test
    void frozenRunnerIsDetectedKilledAndReplaced() throws Exception {
        long pid = (long) t.metric(PID);
        HttpRequest request = HttpRequest.newBuilder(t.base.resolve("/v1/completions")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.completionBody("stories", 1900, false))).build();
        CompletableFuture<HttpResponse<String>> held = t.http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        long frozenAt = System.nanoTime();
        assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor());
        TestServer.await("the stall noticed", Duration.ofSeconds(10),
                () -> t.metric("slm_runner_stalls_total{model=\"stories\"}") >= 1);
        long detectMs = (System.nanoTime() - frozenAt) / 1_000_000;
        System.err.println("frozen runner detected after " + detectMs + " ms (runner_stall_timeout 2 s)");
        assertTrue(detectMs < 5000, "detected after " + detectMs + " ms");

        HttpResponse<String> failed = held.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(503, failed.statusCode(), failed.body());
        assertEquals("runner_stalled", TestServer.json(failed).at("/error/code").asText());
        TestServer.await("the frozen process is gone", Duration.ofSeconds(5), () -> ProcessHandle.of(pid).isEmpty()
                || !ProcessHandle.of(pid).get().isAlive());

        HttpResponse<String> ready = t.get("/ready");
        if (ready.statusCode() == 503) {
            assertTrue(ready.body().contains("stopped answering"), ready.body());
        }
        TestServer.await("a new runner", Duration.ofSeconds(60), () -> t.get("/ready").statusCode() == 200);
        assertNotEquals(pid, (long) t.metric(PID));
        assertEquals(200, t.post("/v1/completions", TestServer.completionBody("stories", 4, false)).statusCode());
    }
}
