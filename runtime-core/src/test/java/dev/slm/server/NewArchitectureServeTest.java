package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slm.bench.NewArchitectures;
import dev.slm.bench.SyntheticModel;
import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.gguf.GgmlType;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Qwen3 and Gemma 3 models (architectures b4916 cannot load) served by slm serve's runners. */
class NewArchitectureServeTest {
    @TempDir
    Path tmp;

    @Test
    void qwen3AndGemma3ModelsAnswerOverHttp() throws Exception {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        Path qwen3 = tmp.resolve("qwen3.gguf");
        Path gemma3 = tmp.resolve("gemma3.gguf");
        SyntheticModel.write(NewArchitectures.TINY_QWEN3, GgmlType.Q8_0, qwen3, 11);
        SyntheticModel.write(NewArchitectures.TINY_GEMMA3, GgmlType.Q8_0, gemma3, 12);
        try (TestServer s = TestServer.start("[model.qwen3]\npath = " + qwen3 + "\ncontext = 256\n"
                + "[model.gemma3]\npath = " + gemma3 + "\ncontext = 256\n")) {
            for (String model : new String[] {"qwen3", "gemma3"}) {
                HttpResponse<String> r = s.post("/v1/completions", "{\"model\":\"" + model
                        + "\",\"prompt\":\"the cat sat\",\"max_tokens\":6,\"temperature\":0}");
                assertEquals(200, r.statusCode(), r.body());
                JsonNode answer = TestServer.JSON.readTree(r.body());
                assertEquals(6, answer.at("/usage/completion_tokens").asInt(), r.body());
                assertTrue(!answer.at("/choices/0/text").asText().isEmpty(), r.body());
            }
        }
    }
}
