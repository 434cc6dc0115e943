package dev.slm.server.runner;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Gives the runner's stdout to the protocol alone. Java output is sent to stderr, and on Unix file
 * descriptor 1 itself is moved: the protocol keeps a duplicate of it and descriptor 1 then points at
 * stderr, so nothing printed by native code (llama.cpp, the binding) can break a protocol line.
 */
final class ProtocolOutput {
    private ProtocolOutput() {
    }

    interface LibC extends Library {
        int dup(int fd);

        int dup2(int from, int to);

        int close(int fd);
    }

    static OutputStream claimStdout() {
        PrintStream stderr = System.err;
        System.setOut(stderr);
        if (!System.getProperty("os.name", "").toLowerCase().contains("win")) {
            try {
                LibC libc = Native.load("c", LibC.class);
                int fd = libc.dup(1);
                if (fd >= 0) {
                    FileOutputStream protocol = new FileOutputStream("/dev/fd/" + fd);
                    libc.close(fd);
                    if (libc.dup2(2, 1) >= 0) {
                        return protocol;
                    }
                    protocol.close();
                }
            } catch (IOException | RuntimeException | LinkageError e) {
                stderr.println("slm runner: cannot move stdout away from native code (" + e.getMessage()
                        + "); native prints could disturb the protocol");
            }
        }
        return new FileOutputStream(FileDescriptor.out);
    }
}
