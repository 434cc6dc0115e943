package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.JavaProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * `slm chat` at a real terminal: a pseudo-terminal from util-linux's `script` (on every Debian,
 * unlike tmux), keys typed as a person types them, the screen read back.
 */
@EnabledOnOs(OS.LINUX)
class ChatTerminalTest {
    /** The left arrow as a terminal sends it in keypad mode, which JLine switches on for xterm. */
    private static final String LEFT = "\033OD";

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private int seen;

    @Test
    void typingEditingMultiLineInputCtrlCSetAContextShiftSaveAndLoad() throws Exception {
        Assumptions.assumeTrue(ExternalTool.available("script", "--version"), "util-linux's script is missing");
        // A grammar of 3000 letters keeps each answer going until num_predict or Ctrl-C ends it.
        Path letters = Files.writeString(tmp.resolve("letters.gbnf"), "root ::= [a-z ]{1500} [a-z ]{1500}\n");
        List<String> java = JavaProcess.builder(Main.class.getName(), List.of("chat", FixtureModel.path().toString(),
                "--temp", "0", "--ctx", "1024", "-t", "1", "--grammar-file", letters.toString())).command();
        String command = "stty cols 60 rows 40; exec " + java.stream().map(a -> "'" + a + "'").collect(Collectors.joining(" "));
        ProcessBuilder pb = new ProcessBuilder("script", "-qfec", command, "/dev/null").redirectErrorStream(true);
        pb.environment().put("TERM", "xterm");
        pb.environment().put("HOME", tmp.toString());
        pb.environment().put("SLM_HOME", "");
        pb.environment().put("XDG_STATE_HOME", "");
        Process p = pb.start();
        Thread.ofPlatform().daemon().start(() -> copy(p.getInputStream()));
        OutputStream keys = p.getOutputStream();
        try {
            waitFor(">>> ");
            type(keys, "/set parameter num_predict 10\r");
            waitFor(">>> ");
            // "Once upon a ime", three keys left, "t": the line sent is "Once upon a time".
            type(keys, "Once upon a ime" + LEFT.repeat(3) + "t\r");
            waitFor(">>> ");
            type(keys, "\"\"\"Tell me\r");
            waitFor("... ");
            type(keys, "about Lily\"\"\"\r");
            waitFor(">>> ");
            type(keys, "/set parameter num_predict -1\r");
            waitFor(">>> ");
            type(keys, "Go on\r");
            waitForAnswer();
            type(keys, "\003");
            waitFor("(stopped; this turn is forgotten)");
            waitFor(">>> ");
            type(keys, "/set parameter num_predict 400\r");
            waitFor(">>> ");
            for (int i = 0; i < 3 && !text().contains("dropped the oldest"); i++) {
                type(keys, "More\r");
                waitFor(">>> ");
            }
            assertTrue(text().contains("(the conversation outgrew the context of 1024 tokens: dropped the oldest"), text());
            // /save keeps the model, the parameters and the system prompt as a variant; /load brings it back.
            type(keys, "/set system Be brief.\r");
            waitFor(">>> ");
            type(keys, "/save brief-letters\r");
            waitFor("(saved as brief-letters");
            waitFor(">>> ");
            type(keys, "/reset\r");
            waitFor(">>> ");
            type(keys, "/load brief-letters\r");
            waitFor("(loaded brief-letters");
            waitFor(">>> ");
            type(keys, "/show\r");
            waitFor("num_predict     400");
            waitFor("Be brief.");
            waitFor(">>> ");
            type(keys, "\004");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "Ctrl-D left: " + text());
            assertEquals(0, p.exitValue(), text());
        } finally {
            p.destroyForcibly();
        }
        String history = Files.readString(tmp.resolve(".local/state/slm/history"));
        assertTrue(history.contains("Once upon a time"), "the edited line was sent and kept: " + history);
        assertTrue(history.contains("More"), history);
        for (String line : plain().split("\n")) {
            if (line.startsWith("(") || line.startsWith("Chatting")) {
                continue;  // slm's own notes; only the answers are wrapped
            }
            assertTrue(line.length() <= 60, "answers are wrapped to the terminal: [" + line + "]");
        }
    }

    private void copy(InputStream in) {
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                synchronized (screen) {
                    screen.write(buffer, 0, n);
                }
            }
        } catch (IOException ignored) {
            // The terminal closed.
        }
    }

    private String text() {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8);
        }
    }

    /** The screen without escape sequences and carriage returns. */
    private String plain() {
        return text().replaceAll("\033\\[[0-9;?]*[a-zA-Z]", "").replaceAll("\033[()][0-9A-Za-z]", "").replaceAll("\033[=>]", "").replace("\r", "");
    }

    private static void type(OutputStream keys, String s) throws IOException {
        keys.write(s.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    /** Waits for {@code s} to appear after what was waited for last. */
    private void waitFor(String s) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            int at = text().indexOf(s, seen);
            if (at >= 0) {
                seen = at + s.length();
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("never saw [" + s + "] on the screen:\n" + text());
    }

    /** Waits until a few letters of the answer have been written. */
    private void waitForAnswer() throws InterruptedException {
        int start = text().length();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && text().length() < start + 30) {
            Thread.sleep(5);
        }
        seen = text().length();
    }
}
