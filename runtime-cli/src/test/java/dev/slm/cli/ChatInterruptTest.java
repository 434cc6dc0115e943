package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.JavaProcess;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C (SIGINT) in `slm chat` stops the answer being written, not the session. */
@EnabledOnOs({OS.LINUX, OS.MAC})
@org.junit.jupiter.api.Timeout(120)
class ChatInterruptTest {

    @Test
    void sigintStopsTheAnswerAndTheChatGoesOn(@TempDir Path tmp) throws Exception {
        // A grammar that demands 3000 characters keeps the model busy long enough to be interrupted.
        Path longAnswer = Files.writeString(tmp.resolve("long.gbnf"), "root ::= [a-z ]{1500} [a-z ]{1500}\n");
        Process chat = JavaProcess.builder(Main.class.getName(), List.of("chat", FixtureModel.path().toString(),
                "--grammar-file", longAnswer.toString(), "--threads", "1")).start();
        OutputStream stdin = chat.getOutputStream();
        stdin.write("Once upon a time\n".getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        InputStream stdout = chat.getInputStream();
        int first = stdout.read();
        assertTrue(first >= 0, "the answer started");
        new ProcessBuilder("kill", "-INT", Long.toString(chat.pid())).start().waitFor();
        stdin.write("/exit\n".getBytes(StandardCharsets.UTF_8));
        stdin.close();
        assertTrue(chat.waitFor(30, TimeUnit.SECONDS), "chat ended");
        String answer = (char) first + new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(chat.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, chat.exitValue(), stderr);
        assertTrue(stderr.contains("(stopped; this turn is forgotten)"), stderr);
        assertTrue(answer.strip().length() < 3000, "the answer was cut short: " + answer.length() + " chars");
    }
}
