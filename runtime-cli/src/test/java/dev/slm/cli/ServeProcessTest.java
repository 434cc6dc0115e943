package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.Wait;
import dev.slm.fixtures.NotifySocket;
import dev.slm.store.ModelImport;
import dev.slm.store.ModelStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slm serve} as the service manager sees it: a child process that says READY=1 over
 * NOTIFY_SOCKET, and that on SIGTERM with streams running stops taking connections, lets the
 * streams (the queued one too) finish, ends its runner, says STOPPING=1 and exits 0.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "signals and sd_notify are tested on Linux")
class ServeProcessTest {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final int TOKENS = 1200;

    @Test
    void sigtermDuringStreamsLetsThemFinishAndExits0(@TempDir Path dir) throws Exception {
        // The model is named as pulled, as in the shipped config: the server finds its file in the store.
        new ModelImport(ModelStore.at(dir.resolve("models"))).importFile(FixtureModel.path(), "stories260k");
        Path conf = dir.resolve("slm.conf");
        Files.writeString(conf, """
                port = 0
                threads = 1
                shutdown_grace = 60s
                models_dir = %s
                [model.stories]
                model = stories260k
                parallel = 2
                preload = true
                """.formatted(dir.resolve("models")));
        try (NotifySocket systemd = NotifySocket.bind(dir.resolve("notify").toString())) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "serve", "--config", conf.toString());
            pb.environment().put("NOTIFY_SOCKET", systemd.name());
            // A file rather than a pipe: the JDK may close a process's pipe under a reader when the process exits.
            Path logFile = dir.resolve("serve.log");
            pb.redirectErrorStream(true).redirectOutput(logFile.toFile());
            Process server = pb.start();
            try {
                String ready = systemd.receive(Duration.ofSeconds(90));
                assertTrue(ready != null && ready.startsWith("READY=1\nSTATUS=serving 1 model(s) on 127.0.0.1:"),
                        "READY=1: " + ready + "\n" + Files.readString(logFile));
                URI base = URI.create("http://127.0.0.1:" + port(Files.readString(logFile)));
                HttpClient http = HttpClient.newHttpClient();
                assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode(), "preloaded: ready at READY=1");
                long runner = metric(http, base, "slm_runner_pid{model=\"stories\"}");

                // Two streams take the two slots, a third waits in the queue.
                List<CompletableFuture<List<String>>> streams = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    streams.add(http.sendAsync(streamRequest(base), HttpResponse.BodyHandlers.ofLines())
                            .thenApply(r -> r.body().filter(l -> l.startsWith("data: ")).toList()));
                }
                Wait.until("two running and one queued stream", Duration.ofSeconds(30), () -> {
                    try {
                        return metric(http, base, "slm_slots_active{model=\"stories\"}") == 2
                                && metric(http, base, "slm_queue_depth{model=\"stories\"}") == 1;
                    } catch (Exception e) {
                        return false;
                    }
                });

                server.destroy(); // SIGTERM
                assertEquals("STOPPING=1\nSTATUS=draining, up to 60 s", systemd.receive(Duration.ofSeconds(10)));
                for (CompletableFuture<List<String>> s : streams) {
                    List<String> lines = s.get(120, TimeUnit.SECONDS);
                    assertEquals("data: [DONE]", lines.getLast(), "every stream, the queued one too, finished: " + lines.getLast());
                    // Ran to its end (the length limit, or the model's own end of text: with two slots
                    // batched together the fixture may end a little before 1200), not cut off.
                    assertTrue(lines.stream().anyMatch(l -> l.contains("\"finish_reason\":\"length\"")
                            || l.contains("\"finish_reason\":\"stop\"")), lines.get(lines.size() - 2));
                    assertTrue(lines.get(lines.size() - 2).matches(".*\"completion_tokens\":1[12]\\d\\d,.*"), lines.get(lines.size() - 2));
                }
                assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server exits after draining");
                List<String> log = Files.readAllLines(logFile);
                assertEquals(0, server.exitValue(), String.join("\n", log));
                assertFalse(ProcessHandle.of(runner).map(ProcessHandle::isAlive).orElse(false), "its runner ended too");
                assertTrue(log.stream().anyMatch(l -> l.contains("slm serve stopped")), String.join("\n", log));
                assertTrue(log.stream().noneMatch(l -> l.contains("\u001b[")), "no colours in the log");
            } finally {
                server.destroyForcibly();
            }
        }
    }

    private static HttpRequest streamRequest(URI base) {
        return HttpRequest.newBuilder(base.resolve("/v1/completions")).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"stories\",\"prompt\":\"" + FixtureModel.PROMPT
                        + "\",\"max_tokens\":" + TOKENS + ",\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true}}"))
                .build();
    }

    private static long metric(HttpClient http, URI base, String key) throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(l -> l.startsWith(key + " ")).map(l -> (long) Double.parseDouble(l.substring(key.length() + 1)))
                .findFirst().orElse(0L);
    }

    private static int port(String log) {
        Matcher m = LISTENING.matcher(log);
        if (!m.find()) {
            throw new AssertionError("no 'listening on' line in the log:\n" + log);
        }
        return Integer.parseInt(m.group(1));
    }
}
