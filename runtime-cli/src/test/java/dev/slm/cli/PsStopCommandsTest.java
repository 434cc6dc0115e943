package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.JavaProcess;
import dev.slm.fixtures.Wait;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `slm ps` and `slm stop` against a real `slm serve` process: they find its port and API key in the
 * same config file, list what it has loaded and unload a model; the admin endpoints answer only on
 * this machine.
 */
class PsStopCommandsTest {
    private static final String KEY = "sk-local-admin-123";

    private static JavaProcess.Result slm(String... args) throws Exception {
        return JavaProcess.run(Main.class.getName(), List.of(args), null, 60, Map.of());
    }

    @Test
    void psListsTheLoadedModelAndStopUnloadsIt(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path conf = dir.resolve("slm.conf");
        Files.writeString(conf, """
                host = 0.0.0.0
                port = %d
                threads = 1
                api_keys = %s
                [model.stories]
                path = %s
                context = 256
                preload = true
                keep_alive = 10m
                [model.idle]
                path = %s
                context = 256
                """.formatted(port, KEY, FixtureModel.path(), FixtureModel.path()));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--config", conf.toString());
        Path log = dir.resolve("serve.log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process server = pb.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI ready = URI.create("http://127.0.0.1:" + port + "/ready");
            Wait.until("the server is ready", Duration.ofSeconds(90), () -> {
                try {
                    return http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                } catch (Exception e) {
                    return false;
                }
            });

            JavaProcess.Result ps = slm("ps", "--config", conf.toString());
            assertEquals(0, ps.exitCode(), ps.stderr() + Files.readString(log));
            assertTrue(ps.stdout().startsWith("NAME"), ps.stdout());
            assertTrue(ps.stdout().contains("stories") && ps.stdout().contains("CPU")
                    && ps.stdout().contains("0 running, 0 waiting"), ps.stdout());
            assertFalse(ps.stdout().contains("idle"), "a model never used is not loaded: " + ps.stdout());

            JavaProcess.Result wrongKey = slm("ps", "--config", conf.toString(), "--api-key", "sk-not-the-key");
            assertEquals(ExitCodes.FAILURE, wrongKey.exitCode());
            assertTrue(wrongKey.stderr().contains("401"), wrongKey.stderr());

            JavaProcess.Result stop = slm("stop", "stories", "--config", conf.toString());
            assertEquals(0, stop.exitCode(), stop.stderr());
            assertEquals("stopped stories", stop.stdout().strip());
            assertFalse(slm("ps", "--config", conf.toString()).stdout().contains("stories"), "unloaded");
            Thread.sleep(11_000);  // past the server's preload retry: a stopped preloaded model stays unloaded
            assertFalse(slm("ps", "--config", conf.toString()).stdout().contains("stories"), "not preloaded again");
            assertEquals(200, http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
                    "a stopped model does not make the server unready");
            assertEquals("stories was not loaded", slm("stop", "stories", "--config", conf.toString()).stdout().strip());
            JavaProcess.Result unknown = slm("stop", "nope", "--config", conf.toString());
            assertEquals(ExitCodes.FAILURE, unknown.exitCode());
            assertTrue(unknown.stderr().contains("404"), unknown.stderr());

            // The next request loads it again.
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                    .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"max_tokens\":3}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(slm("ps", "--config", conf.toString()).stdout().contains("stories"));

            // From another address of this machine (not loopback) the admin endpoints refuse, key or not.
            Optional<InetAddress> outside = NetworkInterface.networkInterfaces().filter(i -> {
                try {
                    return i.isUp() && !i.isLoopback();
                } catch (Exception e) {
                    return false;
                }
            }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address).findFirst();
            if (outside.isPresent()) {
                HttpResponse<String> remote = http.send(HttpRequest.newBuilder(
                        URI.create("http://" + outside.get().getHostAddress() + ":" + port + "/admin/ps"))
                        .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(403, remote.statusCode(), remote.body());
            }
        } finally {
            server.destroy();
            server.waitFor();
        }
    }
}
