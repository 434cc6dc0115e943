package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.fixtures.FixtureModel;
import dev.slm.server.config.ConfigException;
import dev.slm.server.config.ConfigFile;
import dev.slm.server.config.ServerConfigBinder;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code draft = MODEL} in a model's section: speculative decoding in the runner, same answers. */
class DraftServeTest {
    private static final String STORY = """
            {"model":"%s","prompt":"Once upon a time","temperature":0,"n_predict":40}""";

    @Test
    void aModelWithADraftAnswersAsWithout() {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        try (TestServer t = TestServer.start("""
                [model.plain]
                path = ${MODEL}
                [model.drafted]
                path = ${MODEL}
                draft = ${MODEL}
                draft_max = 4
                """)) {
            JsonNode plain = ok(t, STORY.formatted("plain"));
            JsonNode drafted = ok(t, STORY.formatted("drafted"));
            assertEquals(plain.at("/choices/0/text").asText(), drafted.at("/choices/0/text").asText());
            assertTrue(plain.at("/choices/0/text").asText().startsWith(FixtureModel.GREEDY_CONTINUATION.substring(0, 20)));
            // llama.cpp's own counters (its handler answers requests with llama.cpp fields): the draft ran.
            assertTrue(drafted.at("/timings/draft_n").asInt() > 0, drafted.toString());
            assertEquals(0, plain.at("/timings/draft_n").asInt(), plain.toString());
        }
    }

    @Test
    void aDraftThatIsNeitherFileNorModelIsAConfigProblem() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> ServerConfigBinder.bind(ConfigFile.parse("[model.m]\npath = " + FixtureModel.path()
                        + "\ndraft = no-such-draft\n", "slm.conf")));
        assertTrue(e.getMessage().contains("slm.conf:3: draft model no-such-draft is neither a readable file nor a model"),
                e.getMessage());
    }

    private static JsonNode ok(TestServer t, String body) {
        HttpResponse<String> r = t.post("/v1/completions", body);
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.json(r);
    }
}
