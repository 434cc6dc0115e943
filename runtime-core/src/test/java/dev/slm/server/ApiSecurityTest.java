package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** API keys and CORS, on a server that has both configured. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiSecurityTest {
    private TestServer t;

    @BeforeAll
    void start() {
        t = TestServer.start("""
                api_keys = first-key-0001, second-key-002
                cors_origins = https://app.example
                [model.stories]
                path = ${MODEL}
                """);
    }

    @AfterAll
    void stop() {
        t.close();
    }

    @Test
    void apiNeedsAKeyButProbesDoNot() {
        HttpResponse<String> none = t.get("/v1/models");
        assertEquals(401, none.statusCode());
        assertEquals("invalid_api_key", TestServer.json(none).at("/error/code").asText());
        assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertEquals(401, t.get("/v1/models", "Authorization", "Bearer wrong-key-0000").statusCode());
        assertEquals(401, t.get("/metrics").statusCode(), "metrics are behind the key too");
        assertEquals(401, t.post("/v1/completions", TestServer.completionBody("stories", 2, false)).statusCode(),
                "refused before anything is loaded");
        assertEquals(0, t.server.metrics().runnerStarts.get("stories"), "nothing was loaded for them");
        assertEquals(200, t.get("/v1/models", "Authorization", "Bearer first-key-0001").statusCode());
        assertEquals(200, t.get("/v1/models", "Authorization", "Bearer second-key-002").statusCode());
        assertEquals(200, t.get("/health").statusCode());
        assertEquals(200, t.get("/ready").statusCode());
    }

    @Test
    void allowedOriginGetsCorsHeadersAndPreflight() {
        HttpResponse<String> r = t.get("/v1/models", "Origin", "https://app.example", "Authorization", "Bearer first-key-0001");
        assertEquals("https://app.example", r.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        HttpResponse<String> preflight = t.send(HttpRequest.newBuilder(t.base.resolve("/v1/chat/completions"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "POST").build());
        assertEquals(204, preflight.statusCode(), "a preflight needs no key");
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow().contains("Authorization"));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow().contains("POST"));

        // A browser SDK asks for its own headers (the OpenAI SDK's x-stainless-*): allowed as asked.
        String asked = "authorization, content-type, x-stainless-os, x-stainless-lang, x-stainless-retry-count";
        HttpResponse<String> sdk = t.send(HttpRequest.newBuilder(t.base.resolve("/v1/chat/completions"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", asked).build());
        assertEquals(204, sdk.statusCode());
        assertEquals(asked, sdk.headers().firstValue("Access-Control-Allow-Headers").orElseThrow());
        assertEquals(2, t.server.metrics().requests.get("/v1/chat/completions", "204"), "each preflight counted once");
    }

    @Test
    void otherOriginsGetNoCorsHeaders() {
        HttpResponse<String> r = t.get("/v1/models", "Origin", "https://evil.example", "Authorization", "Bearer first-key-0001");
        assertTrue(r.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
        HttpResponse<String> preflight = t.send(HttpRequest.newBuilder(t.base.resolve("/v1/chat/completions"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example").build());
        assertEquals(405, preflight.statusCode());
    }
}
