package dev.slm.server.runner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

/** Writes and reads {@link RunnerMessage}s, one JSON object per line; writers on several threads take turns. */
final class RunnerProtocol {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final OutputStream out;
    // A lock rather than synchronized: writers may be virtual threads, which synchronized would pin.
    private final ReentrantLock lock = new ReentrantLock();

    RunnerProtocol(OutputStream out) {
        this.out = out;
    }

    void send(RunnerMessage message) throws IOException {
        byte[] line = (JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
        lock.lock();
        try {
            out.write(line);
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    void close() throws IOException {
        lock.lock();
        try {
            out.close();
        } finally {
            lock.unlock();
        }
    }

    /** @throws JsonProcessingException for a line that is not a message (a stray native print, for instance) */
    static RunnerMessage parse(String line) throws JsonProcessingException {
        return JSON.readValue(line, RunnerMessage.class);
    }
}
