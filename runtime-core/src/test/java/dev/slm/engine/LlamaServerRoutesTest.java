package dev.slm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.fixtures.FixtureModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** llama.cpp's own OpenAI handlers reached through Model.openAi. */
class LlamaServerRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Model model;

    @BeforeAll
    static void open() {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        model = Model.open(FixtureModel.path(), ModelOptions.defaults().withThreads(1).withContextSize(1024));
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void streamedAnswersArriveAsSseChunksAndEndWithDone() throws Exception {
        String body = """
                {"messages":[{"role":"user","content":"Once upon a time"}],"stream":true,"max_tokens":8,"temperature":0}""";
        try (OpenAiCall call = model.openAi("/v1/chat/completions", body)) {
            assertEquals(200, call.status(), call.body());
            assertTrue(call.streaming());
            List<String> chunks = new ArrayList<>(List.of(call.body()));
            for (String c; (c = call.nextChunk()) != null; ) {
                chunks.add(c);
            }
            String all = String.join("", chunks);
            assertTrue(all.startsWith("data: {"), all);
            assertTrue(all.strip().endsWith("data: [DONE]"), all);
            assertNull(call.nextChunk());
        }
    }

    @Test
    void aBadRequestIsLlamaServersOwn4xx() throws Exception {
        try (OpenAiCall call = model.openAi("/v1/chat/completions", "{\"messages\": 5}")) {
            assertTrue(call.status() >= 400 && call.status() < 500, call.status() + " " + call.body());
            assertTrue(JSON.readTree(call.body()).at("/error/message").isTextual(), call.body());
        }
    }
}
