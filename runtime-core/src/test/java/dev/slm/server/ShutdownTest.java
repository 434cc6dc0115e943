package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A shutdown whose grace period runs out cancels the streams still running and ends every runner. */
class ShutdownTest {

    @Test
    void streamsStillRunningAfterTheGraceGetAnErrorEventAndRunnersEnd() throws Exception {
        TestServer t = TestServer.start("[model.stories]\npath = ${MODEL}\nkeep_alive = never\n");
        List<String> chunks = new ArrayList<>();
        long runner;
        Thread stopper;
        try (RawHttpStream s = RawHttpStream.post(t.base, "/v1/completions", TestServer.completionBody("stories", 1900, true))) {
            assertTrue(s.nextChunk().startsWith("data: "));
            runner = (long) t.metric("slm_runner_pid{model=\"stories\"}");
            stopper = Thread.ofPlatform().start(() -> t.server.shutdown(Duration.ZERO));
            String chunk;
            while ((chunk = s.nextChunk()) != null) {
                chunks.add(chunk);
            }
        }
        stopper.join(Duration.ofSeconds(30));
        String last = chunks.getLast();
        assertTrue(last.contains("\"code\":\"shutting_down\""), "the cancelled stream says why: " + last);
        assertTrue(ProcessHandle.of(runner).map(ProcessHandle::isAlive).orElse(false) == false, "the runner has ended");
        assertThrows(ConnectException.class, () -> {
            try (Socket ignored = new Socket(t.base.getHost(), t.base.getPort())) {
                throw new IOException("still accepting connections");
            }
        });
        assertEquals(List.of("the server is shutting down"), t.server.notReady());
    }
}
