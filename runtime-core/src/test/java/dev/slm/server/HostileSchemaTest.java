package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Schemas that would make llama.cpp expand its grammar without bound (one runner reached 15.8 GB)
 * are refused with a 400 before a runner sees them; the runner itself runs under a memory limit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@EnabledOnOs(value = OS.LINUX, disabledReason = "reads runner limits through /proc")
class HostileSchemaTest {
    private static final String PID = "slm_runner_pid{model=\"stories\"}";
    private TestServer t;

    @BeforeAll
    void start() {
        t = TestServer.start("""
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

    static Stream<String> hostileSchemas() {
        StringBuilder many = new StringBuilder("{\"type\":\"object\",\"properties\":{");
        for (int i = 0; i < 20; i++) {
            many.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":{\"type\":\"string\",\"maxLength\":4096}");
        }
        many.append("}}");
        return Stream.of(
                "{\"type\":\"string\",\"minLength\":1000000000}",
                "{\"type\":\"string\",\"maxLength\":100000000}",
                "{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":100000000}",
                "{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"maxItems\":1000000000}",
                "{\"type\":\"object\",\"minProperties\":1e9}",
                "{\"type\":\"string\",\"pattern\":\"^a{100000000}$\"}",
                "{\"type\":\"string\",\"pattern\":\"^a{5,100000000}$\"}",
                "{\"type\":\"string\",\"pattern\":\"^(a{1000}){1000}$\"}",
                "{\"type\":\"string\",\"pattern\":\"^((ab){60}[xy]{60}){400}$\"}",
                many.toString());
    }

    @ParameterizedTest
    @MethodSource("hostileSchemas")
    void schemaThatExpandsTooFarIsRefusedAtOnce(String schema) {
        long rssBefore = runnerRss();
        HttpResponse<String> r = t.send(HttpRequest.newBuilder(t.base.resolve("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10)) // before the fix this ran for minutes, growing by gigabytes
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request(schema))).build());
        assertEquals(400, r.statusCode(), r.body());
        JsonNode error = TestServer.json(r).get("error");
        assertEquals("response_format.json_schema.schema", error.get("param").asText());
        String message = error.get("message").asText();
        assertTrue(message.contains("4096") || message.contains("65536"), "names the limit: " + message);
        assertTrue(message.contains("at #"), "names where: " + message);
        long rssAfter = runnerRss();
        System.err.printf("schema attack %s: 400, runner RSS %d -> %d MiB, peak (VmHWM) %d MiB%n",
                schema.length() > 60 ? schema.substring(0, 60) + "..." : schema, rssBefore >> 20, rssAfter >> 20, runnerPeak() >> 20);
        assertTrue(rssAfter < rssBefore + (64L << 20), "the runner did not grow");
    }

    @Test
    void boundedSchemaStillWorks() {
        String schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"pattern\":\"^[a-z]{1,8}$\"},"
                + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"maxLength\":12},\"maxItems\":3}},"
                + "\"required\":[\"name\"]}";
        HttpResponse<String> r = t.post("/v1/chat/completions", request(schema));
        assertEquals(200, r.statusCode(), r.body());
    }

    /** The limits are cheap where they stop: the largest schema they let through costs the runner little. */
    @Test
    void theLargestAllowedSchemaIsCheap() {
        StringBuilder most = new StringBuilder("{\"type\":\"object\",\"properties\":{");
        for (int i = 0; i < 16; i++) {
            most.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":{\"type\":\"string\",\"maxLength\":4096}");
        }
        most.append("}}");
        long peakBefore = runnerPeak();
        long start = System.nanoTime();
        HttpResponse<String> r = t.post("/v1/chat/completions", request(most.toString()));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, r.statusCode(), r.body());
        long grew = runnerPeak() - peakBefore;
        System.err.printf("largest allowed schema (16 x maxLength 4096): 200 in %d ms, runner peak +%d MiB%n", ms, grew >> 20);
        assertTrue(grew < (512L << 20), "runner peak grew by " + (grew >> 20) + " MiB");
    }

    @Test
    void runnerRunsUnderADataLimitAndWritesCrashReportsToTheStateDirectory() throws IOException {
        long pid = (long) t.metric(PID);
        String limit = Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits")).stream()
                .filter(l -> l.startsWith("Max data size")).findFirst().orElseThrow();
        String soft = limit.substring("Max data size".length()).strip().split("\\s+")[0];
        assertTrue(!soft.equals("unlimited"), limit);
        long bytes = Long.parseLong(soft);
        long estimate = t.server.models().all().get(0).estimate().total();
        assertTrue(bytes >= estimate + (1L << 30) - 1024 && bytes <= estimate + (1L << 30) + 1024, limit);
        String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
        assertTrue(cmdline.contains("-XX:ErrorFile=" + t.server.config().limits().stateDir().resolve("crash")), cmdline);
    }

    private static String request(String schema) {
        return "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":8,"
                + "\"temperature\":0,\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":"
                + schema + "}}}";
    }

    private long runnerRss() {
        return status("VmRSS:");
    }

    private long runnerPeak() {
        return status("VmHWM:");
    }

    private long status(String field) {
        long pid = (long) t.metric(PID);
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no " + field + " for " + pid);
    }
}
