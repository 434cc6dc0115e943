package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/** A keyless server on loopback against what a web page or a hostile client sends it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileClientTest {
    private static final String BODY = TestServer.completionBody("stories", 2, false);
    private TestServer t;

    @BeforeAll
    void start() {
        t = TestServer.start("""
                allowed_hosts = slm.internal.example
                [model.stories]
                path = ${MODEL}
                """);
    }

    @AfterAll
    void stop() {
        t.close();
    }

    private RawHttp.Answer post(String host, String contentType, String extra) {
        return RawHttp.send(t.base, "POST /v1/completions HTTP/1.1\r\nHost: " + host
                + (contentType == null ? "" : "\r\nContent-Type: " + contentType) + extra, BODY);
    }

    /** DNS rebinding: a page at attacker.example rebinds its name to 127.0.0.1; its requests still carry its name. */
    @Test
    void foreignHostNamesAreRefused() {
        String port = ":" + t.base.getPort();
        RawHttp.Answer rebound = post("attacker.example" + port, "application/json", "");
        assertEquals(403, rebound.status(), rebound.body());
        assertTrue(rebound.body().contains("host_not_allowed"), rebound.body());
        assertEquals(403, RawHttp.send(t.base, "GET /v1/models HTTP/1.1\r\nHost: attacker.example", "").status());
        assertEquals(403, post("localhost.attacker.example", "application/json", "").status());
        assertEquals(200, post("127.0.0.1" + port, "application/json", "").status());
        assertEquals(200, post("localhost" + port, "application/json", "").status());
        assertEquals(200, post("[::1]" + port, "application/json", "").status());
        assertEquals(200, post("slm.internal.example", "application/json", "").status(), "allowed_hosts adds names");
        assertEquals(200, RawHttp.send(t.base, "GET /health HTTP/1.1\r\nHost: 127.0.0.1", "").status());
    }

    /** A page may send text/plain (or a form) anywhere without a CORS preflight; it cannot send application/json. */
    @Test
    void bodiesMustBeDeclaredJson() {
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", null}) {
            RawHttp.Answer a = post("127.0.0.1", type, "");
            assertEquals(415, a.status(), type + ": " + a.body());
            assertTrue(a.body().contains("application/json"), a.body());
        }
        assertEquals(200, post("127.0.0.1", "application/json; charset=utf-8", "").status());
        assertEquals(200, post("127.0.0.1", "Application/JSON", "").status());
    }

    /** A page of another origin gets nothing but the probes, whatever it sends. */
    @Test
    void pagesOfOtherOriginsAreRefused() {
        RawHttp.Answer a = post("127.0.0.1", "application/json", "\r\nOrigin: https://attacker.example");
        assertEquals(403, a.status(), a.body());
        assertTrue(a.body().contains("origin_not_allowed"), a.body());
        assertEquals(403, post("127.0.0.1", "application/json", "\r\nOrigin: null").status(), "a sandboxed page");
        assertEquals(200, RawHttp.send(t.base, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://attacker.example", "").status());
    }

    @Test
    void clientTextCannotForgeLogLines() {
        Logger access = (Logger) LoggerFactory.getLogger("dev.slm.server.access");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        ch.qos.logback.classic.Level level = access.getLevel();
        access.setLevel(ch.qos.logback.classic.Level.INFO);
        access.addAppender(lines);
        try {
            RawHttp.Answer a = RawHttp.send(t.base, "GET /v1/x%0d%0a2026-01-01%20INFO%20forged%00 HTTP/1.1\r\nHost: 127.0.0.1", "");
            assertEquals(404, a.status());
            String model = "{\"model\":\"m\\r\\nINFO forged\\u0000\",\"prompt\":\"x\"}";
            assertEquals(404, RawHttp.send(t.base, "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json",
                    model).status());
            TestServer.await("two access lines", Duration.ofSeconds(5), () -> lines.list.size() >= 2);
        } finally {
            access.detachAppender(lines);
            access.setLevel(level);
        }
        List<String> logged = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        for (String line : logged) {
            assertFalse(line.contains("\r") || line.contains("\n") || line.contains("\0"), line);
        }
        // The server logs after the answer is sent, so the two lines may come in either order.
        assertTrue(logged.stream().anyMatch(l -> l.contains("/v1/x\\r\\n2026-01-01 INFO forged\\u0000")), logged.toString());
        assertTrue(logged.stream().anyMatch(l -> l.contains("model=m\\r\\nINFO forged\\u0000")), logged.toString());
    }
}
