package dev.slm.server;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd how the service is doing ({@code Type=notify}): {@code READY=1} once the server
 * answers, {@code STOPPING=1} when it drains, {@code STATUS=...} in between. The message is a unix
 * datagram to {@code $NOTIFY_SOCKET}, sent through libc (Java has no unix datagram sockets); where
 * that fails, the {@code systemd-notify} tool is tried (it needs {@code NotifyAccess=all}).
 * Without {@code $NOTIFY_SOCKET} (not started by systemd) nothing is sent.
 */
public final class SystemdNotifier {
    private static final Logger log = LoggerFactory.getLogger(SystemdNotifier.class);
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SUN_PATH_SIZE = 108;

    private final String socket;

    interface LibC extends Library {
        int socket(int domain, int type, int protocol);

        NativeLong sendto(int fd, byte[] buffer, NativeLong length, int flags, byte[] address, int addressLength);

        int close(int fd);
    }

    public SystemdNotifier(String socket) {
        this.socket = socket == null || socket.isBlank() ? null : socket;
    }

    public static SystemdNotifier fromEnvironment() {
        return new SystemdNotifier(System.getenv("NOTIFY_SOCKET"));
    }

    public boolean enabled() {
        return socket != null;
    }

    public void ready(String status) {
        notify("READY=1\nSTATUS=" + status);
    }

    public void stopping(String status) {
        notify("STOPPING=1\nSTATUS=" + status);
    }

    public void status(String status) {
        notify("STATUS=" + status);
    }

    /** Sends {@code message}; failures are logged, never thrown: the service works without systemd's view of it. */
    public void notify(String message) {
        if (socket == null) {
            return;
        }
        try {
            sendDatagram(message);
        } catch (RuntimeException | LinkageError e) {
            log.debug("sd_notify through libc failed ({}); trying systemd-notify", e.getMessage());
            runTool(message);
        }
    }

    private void sendDatagram(String message) {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            throw new IllegalStateException("sd_notify is only done on Linux");
        }
        byte[] path = socket.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = path[0] == '@';
        if (path.length >= SUN_PATH_SIZE) {
            throw new IllegalStateException("NOTIFY_SOCKET path is too long");
        }
        // struct sockaddr_un: sa_family_t (native order) then the path; an abstract name starts with NUL.
        ByteBuffer address = ByteBuffer.allocate(2 + SUN_PATH_SIZE).order(ByteOrder.nativeOrder());
        address.putShort((short) AF_UNIX);
        address.put(path);
        if (abstractName) {
            address.put(2, (byte) 0);
        }
        int addressLength = 2 + path.length + (abstractName ? 0 : 1);
        byte[] payload = message.getBytes(StandardCharsets.UTF_8);
        LibC libc = Native.load("c", LibC.class);
        int fd = libc.socket(AF_UNIX, SOCK_DGRAM, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket() failed: errno " + Native.getLastError());
        }
        try {
            long sent = libc.sendto(fd, payload, new NativeLong(payload.length), 0, address.array(), addressLength).longValue();
            if (sent != payload.length) {
                throw new IllegalStateException("sendto() failed: errno " + Native.getLastError());
            }
        } finally {
            libc.close(fd);
        }
    }

    private static void runTool(String message) {
        try {
            Process p = new ProcessBuilder(buildToolCommand(message)).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                log.warn("systemd-notify failed; set NotifyAccess=all in the unit or use the /ready probe");
            }
        } catch (IOException e) {
            log.warn("cannot notify systemd: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.List<String> buildToolCommand(String message) {
        java.util.List<String> cmd = new java.util.ArrayList<>();
        cmd.add("systemd-notify");
        cmd.add("--pid=" + ProcessHandle.current().pid());
        cmd.addAll(message.lines().toList());
        return cmd;
    }
}
