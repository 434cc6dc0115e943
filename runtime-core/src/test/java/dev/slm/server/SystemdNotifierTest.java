package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.fixtures.NotifySocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify messages reach a unix datagram socket, as systemd's would receive them. */
@EnabledOnOs(value = OS.LINUX, disabledReason = "systemd notification sockets exist on Linux only")
class SystemdNotifierTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void readyAndStoppingReachAPathSocket(@TempDir Path dir) {
        try (NotifySocket socket = NotifySocket.bind(dir.resolve("notify").toString())) {
            SystemdNotifier n = new SystemdNotifier(socket.name());
            assertTrue(n.enabled());
            n.ready("serving 1 model");
            assertEquals("READY=1\nSTATUS=serving 1 model", socket.receive(WAIT));
            n.stopping("draining");
            assertEquals("STOPPING=1\nSTATUS=draining", socket.receive(WAIT));
        }
    }

    @Test
    void abstractSocketNamesWork() {
        try (NotifySocket socket = NotifySocket.bind("@slm-notify-test-" + ProcessHandle.current().pid())) {
            new SystemdNotifier(socket.name()).status("loading");
            assertEquals("STATUS=loading", socket.receive(WAIT));
        }
    }

    @Test
    void withoutNotifySocketNothingIsSent() {
        assertFalse(new SystemdNotifier(null).enabled());
        assertFalse(new SystemdNotifier("").enabled());
    }
}
