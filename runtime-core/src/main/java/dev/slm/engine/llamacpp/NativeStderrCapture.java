package dev.slm.engine.llamacpp;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes llama.cpp's log lines into SLF4J (logger {@code llamacpp}, level DEBUG).
 *
 * <p>The binding's log callback receives nothing in 4.2.0: llama.cpp writes straight to file
 * descriptor 2. So descriptor 2 becomes a pipe read by a thread that logs each line, and Java's
 * {@code System.err} (where Logback writes) moves to a copy of the original descriptor, so that
 * logged lines do not flow back into the pipe.
 */
final class NativeStderrCapture {
    private static final Logger log = LoggerFactory.getLogger("llamacpp");
    private static boolean installed;

    private interface LibC extends Library {
        LibC INSTANCE = Native.load(Platform.C_LIBRARY_NAME, LibC.class);

        int pipe(int[] fds);

        int dup(int fd);

        int dup2(int from, int to);

        int close(int fd);
    }

    private NativeStderrCapture() {
    }

    static synchronized void install() {
        if (installed || Platform.isWindows()) {
            return;
        }
        try {
            LibC c = LibC.INSTANCE;
            int[] fds = new int[2];
            if (c.pipe(fds) != 0) {
                return;
            }
            int original = c.dup(2);
            System.err.flush();
            System.setErr(new PrintStream(new FileOutputStream(fdPath(original)), true, StandardCharsets.UTF_8));
            c.dup2(fds[1], 2);
            c.close(fds[1]);
            BufferedReader lines = new BufferedReader(new InputStreamReader(new FileInputStream(fdPath(fds[0])), StandardCharsets.UTF_8));
            Thread.ofPlatform().daemon().name("llama.cpp-log").start(() -> forward(lines));
            installed = true;
        } catch (IOException | UnsatisfiedLinkError e) {
            log.debug("llama.cpp's log stays on stderr: {}", e.getMessage());
        }
    }

    private static void forward(BufferedReader lines) {
        try {
            for (String line; (line = lines.readLine()) != null; ) {
                if (!line.isBlank()) {
                    log.debug(line);
                }
            }
        } catch (IOException e) {
            // the process is ending
        }
    }

    private static String fdPath(int fd) {
        return (Platform.isLinux() ? "/proc/self/fd/" : "/dev/fd/") + fd;
    }
}
