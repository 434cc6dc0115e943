package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * request_timeout bounds a request whatever its runner does. A runner frozen with SIGSTOP makes the
 * generation stall for certain, without depending on how fast the machine is.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "freezes the runner with SIGSTOP")
class RequestTimeoutTest {
    private TestServer t;
    private long runner;

    @BeforeEach
    void start() {
        // Preloaded: loading counts against request_timeout too, and takes longer than 2 s on a busy machine.
        t = TestServer.start("request_timeout = 2s\n[model.stories]\npath = ${MODEL}\nqueue = 1\npreload = true\n");
        TestServer.await("the preloaded model", Duration.ofSeconds(60), () -> t.get("/ready").statusCode() == 200);
        runner = (long) t.metric("slm_runner_pid{model=\"stories\"}");
    }

    @AfterEach
    void stop() throws Exception {
        signal("CONT");
        t.close();
    }

    @Test
    void aStalledGenerationTimesOutWith504AndItsSlotComesBack() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(t.base.resolve("/v1/completions")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.completionBody("stories", 1900, false))).build();
        CompletableFuture<HttpResponse<String>> pending = t.http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        TestServer.await("the request to take the slot", Duration.ofSeconds(30),
                () -> t.metric("slm_slots_active{model=\"stories\"}") == 1);
        signal("STOP");
        // A second request waits in the queue behind the stalled one, and times out there.
        HttpResponse<String> queued = t.post("/v1/completions", TestServer.completionBody("stories", 2, false));
        assertEquals(504, queued.statusCode(), queued.body());
        assertEquals("timeout", TestServer.json(queued).at("/error/code").asText());

        HttpResponse<String> stalled = pending.get();
        assertEquals(504, stalled.statusCode(), stalled.body());
        assertEquals("timeout", TestServer.json(stalled).at("/error/code").asText());
        TestServer.await("the slot to come free although the runner cannot confirm", Duration.ofSeconds(10),
                () -> t.metric("slm_slots_active{model=\"stories\"}") == 0);
        signal("CONT");
        assertEquals(200, t.post("/v1/completions", TestServer.completionBody("stories", 2, false)).statusCode(),
                "the runner, thawed, serves again");
    }

    private void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(runner)).inheritIO().start().waitFor();
    }
}
