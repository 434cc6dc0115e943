package dev.slm.server.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slm.engine.ModelOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The server hands a runner the model's options whole, the thread policy included. */
class RunnerProtocolTest {
    @Test
    void aLoadMessageCarriesEveryOption() throws Exception {
        ModelOptions options = ModelOptions.defaults().withThreads(2).withAdaptThreads(true).withContextSize(1024)
                .withParallel(3).withSeed(7);
        RunnerMessage.Load load = new RunnerMessage.Load("/models/m.gguf", options, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new RunnerProtocol(out).send(load);
        assertEquals(load, RunnerProtocol.parse(out.toString(StandardCharsets.UTF_8).strip()));
    }
}
