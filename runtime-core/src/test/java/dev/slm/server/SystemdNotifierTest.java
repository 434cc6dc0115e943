package dev.slm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify messages reach a unix datagram socket, as systemd's would receive them. */
@EnabledOnOs(value = OS.LINUX, disabledReason = "systemd notification sockets exist on Linux only")
class SystemdNotifierTest {

    interface LibC extends Library {
        LibC C = Native.load("c", LibC.class);

        int socket(int domain, int type, int protocol);

        int bind(int fd, byte[] address, int length);

        NativeLong recv(int fd, byte[] buffer, NativeLong length, int flags);

        int close(int fd);
    }

    /** A datagram socket bound where systemd would put NOTIFY_SOCKET. */
    private record Receiver(int fd) implements AutoCloseable {
        static Receiver bind(String name) {
            int fd = LibC.C.socket(1, 2, 0);
            byte[] path = name.getBytes(StandardCharsets.UTF_8);
            ByteBuffer address = ByteBuffer.allocate(110).order(ByteOrder.nativeOrder());
            address.putShort((short) 1).put(path);
            boolean abstractName = name.startsWith("@");
            if (abstractName) {
                address.put(2, (byte) 0);
            }
            assertEquals(0, LibC.C.bind(fd, address.array(), 2 + path.length + (abstractName ? 0 : 1)), "bind " + name);
            return new Receiver(fd);
        }

        String receive() {
            byte[] buffer = new byte[4096];
            long n = LibC.C.recv(fd, buffer, new NativeLong(buffer.length), 0x40 /* MSG_DONTWAIT */).longValue();
            assertTrue(n > 0, "a message was waiting");
            return new String(buffer, 0, (int) n, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            LibC.C.close(fd);
        }
    }

    @Test
    void readyAndStoppingReachAPathSocket(@TempDir Path dir) {
        String socket = dir.resolve("notify").toString();
        try (Receiver r = Receiver.bind(socket)) {
            SystemdNotifier n = new SystemdNotifier(socket);
            assertTrue(n.enabled());
            n.ready("serving 1 model");
            assertEquals("READY=1\nSTATUS=serving 1 model", r.receive());
            n.stopping("draining");
            assertEquals("STOPPING=1\nSTATUS=draining", r.receive());
        }
    }

    @Test
    void abstractSocketNamesWork() {
        String socket = "@slm-notify-test-" + ProcessHandle.current().pid();
        try (Receiver r = Receiver.bind(socket)) {
            new SystemdNotifier(socket).status("loading");
            assertEquals("STATUS=loading", r.receive());
        }
    }

    @Test
    void withoutNotifySocketNothingIsSent() {
        assertFalse(new SystemdNotifier(null).enabled());
        new SystemdNotifier("").ready("not sent anywhere");
    }
}
