package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.server.config.ConfigException;
import dev.slm.server.config.ConfigFile;
import dev.slm.server.config.ServerConfigBinder;
import dev.slm.server.local.LocalModels;
import dev.slm.fixtures.FixtureModel;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Two models whose estimates do not fit the budget together, and a keep-alive that unloads. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemoryBudgetTest {
    private TestServer t;

    @BeforeAll
    void start() {
        // Each fixture model is estimated at about 166 MiB (mostly the runner JVM): one fits, two do not.
        t = TestServer.start("""
                memory_budget = 250MiB
                [model.a]
                path = ${MODEL}
                keep_alive = never
                [model.b]
                path = ${MODEL}
                keep_alive = 1s
                """);
    }

    @AfterAll
    void stop() {
        t.close();
    }

    @Test
    void aModelThatDoesNotFitWhileTheOtherIsBusyGets503ThenLoadsOnceItIsIdle() throws Exception {
        assertEquals(200, t.post("/v1/completions", TestServer.completionBody("a", 2, false)).statusCode());
        try (RawHttpStream busy = RawHttpStream.post(t.base, "/v1/completions", TestServer.completionBody("a", 1500, true))) {
            assertTrue(busy.nextChunk().startsWith("data: "));
            HttpResponse<String> refused = t.post("/v1/completions", TestServer.completionBody("b", 2, false));
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("memory_budget", TestServer.json(refused).at("/error/code").asText());
            assertTrue(TestServer.json(refused).at("/error/message").asText().contains("memory budget"), refused.body());
        }
        TestServer.await("model a to be idle", Duration.ofSeconds(10), () -> t.metric("slm_slots_active{model=\"a\"}") == 0);
        HttpResponse<String> served = t.post("/v1/completions", TestServer.completionBody("b", 2, false));
        assertEquals(200, served.statusCode(), served.body());
        assertEquals(0, t.metric("slm_model_loaded{model=\"a\"}"), "idle model a was unloaded to make room");
        assertTrue(t.metric("slm_memory_reserved_bytes") <= t.metric("slm_memory_budget_bytes"));
    }

    @Test
    void keepAliveUnloadsAnIdleModel() {
        assertEquals(200, t.post("/v1/completions", TestServer.completionBody("b", 2, false)).statusCode());
        TestServer.await("model b to unload after its 1 s keep-alive", Duration.ofSeconds(10),
                () -> t.metric("slm_model_loaded{model=\"b\"}") == 0);
    }

    @Test
    void aModelLargerThanTheWholeBudgetIsAConfigError() {
        var config = ServerConfigBinder.bind(ConfigFile.parse("memory_budget = 100MiB\n[model.a]\npath = "
                + FixtureModel.path() + "\n", "small.conf"));
        ConfigException e = assertThrows(ConfigException.class, () -> LocalModels.plan(config));
        assertTrue(e.getMessage().contains("model 'a' needs about") && e.getMessage().contains("raise memory_budget"), e.getMessage());
    }
}
