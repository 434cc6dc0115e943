package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.server.runner.RunnerLaunch;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** A model whose load crashes is not reloaded for every request, and runner crash reports land in the state directory. */
@EnabledOnOs(value = OS.LINUX, disabledReason = "crashes processes with signals")
class LoadCrashTest {

    @Test
    void crashingLoadBacksOff(@TempDir Path dir) throws Exception {
        // A runner that dies of SIGBUS as it starts, as one mapping a truncated model file does; each start leaves a line.
        Path starts = dir.resolve("starts");
        RunnerLaunch crashing = new RunnerLaunch(List.of("/bin/sh", "-c", "echo start >> '" + starts + "'; kill -BUS $$"));
        try (TestServer t = TestServer.start("""
                [model.stories]
                path = ${MODEL}
                queue = 16
                """, crashing)) {
            long start = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                all.add(CompletableFuture.supplyAsync(() -> t.post("/v1/completions", TestServer.completionBody("stories", 2, false))));
            }
            int withRetryAfter = 0;
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.join();
                assertEquals(503, r.statusCode(), r.body());
                assertEquals("model_load_failed", TestServer.json(r).at("/error/code").asText());
                withRetryAfter += r.headers().firstValue("Retry-After").isPresent() ? 1 : 0;
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            long loads = Files.readAllLines(starts).size();
            System.err.println("crashing load: " + loads + " load attempts for 10 requests, all answered in " + ms + " ms");
            assertTrue(loads <= 2, loads + " loads for 10 requests (was 9 before the backoff)");
            assertTrue(withRetryAfter >= 8, withRetryAfter + " of 10 said when to retry");
            assertTrue(ms < 5000, "all answered in " + ms + " ms");
            String body = t.post("/v1/completions", TestServer.completionBody("stories", 2, false)).body();
            assertTrue(body.contains("failed to load") && body.contains("next attempt"), body);
            HttpResponse<String> ready = t.get("/ready");
            assertEquals(200, ready.statusCode(), "not preloaded: the server itself is ready");
        }
    }

    @Test
    void runnerCrashReportGoesToTheStateDirectory(@TempDir Path state) throws Exception {
        try (TestServer t = TestServer.start("state_dir = " + state + "\n[model.stories]\npath = ${MODEL}\npreload = true\n")) {
            TestServer.await("the preloaded model", Duration.ofSeconds(60), () -> t.get("/ready").statusCode() == 200);
            long pid = (long) t.metric("slm_runner_pid{model=\"stories\"}");
            assertEquals(0, new ProcessBuilder("kill", "-SEGV", Long.toString(pid)).start().waitFor());
            Path report = state.resolve("crash").resolve("hs_err_pid" + pid + ".log");
            TestServer.await("the crash report " + report, Duration.ofSeconds(30), () -> Files.isRegularFile(report));
            assertTrue(Files.notExists(Path.of("hs_err_pid" + pid + ".log")), "nothing in the working directory");
        }
    }
}
