package dev.slm.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void plainLinesComeAtEveryTenthAndNeverRedrawInPlace() {
        ProgressReporter p = ProgressReporter.to(out, false);
        p.start("m", 1_000_000, 250_000);
        for (long done = 250_000; done <= 1_000_000; done += 50_000) {
            p.update(done);
        }
        p.note("a retry");
        p.finish();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals("pulling m: 1.0 MB, resuming at 25%", lines[0]);
        assertTrue(lines[1].startsWith("pulling m: 30% (300 kB/1.0 MB, "), lines[1]);
        assertEquals(10, lines.length, String.join("\n", lines)); // start, 30..90%, the note, 100%
        assertTrue(lines[9].startsWith("pulling m: 100% (1.0 MB/1.0 MB, "), lines[9]);
        assertTrue(bytes.toString(StandardCharsets.UTF_8).indexOf('\r') < 0);
    }

    @Test
    void aStoppedTransferClaimsNoCompletion() {
        ProgressReporter p = ProgressReporter.to(out, false);
        p.start("m", 1_000_000, 0);
        p.update(10);
        p.finish();
        assertEquals("pulling m: 1.0 MB\n", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void onATerminalOneLineIsRedrawnWithABarRateAndTimeLeft() {
        ProgressReporter p = ProgressReporter.to(out, true);
        p.start("qwen", 2_000_000, 0);
        p.note("waiting for process 7");
        p.update(2_000_000);
        p.finish();
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(s.startsWith("\r\033[Kqwen   0% [>                       ] 0 B/2.0 MB, "), s);
        assertTrue(s.contains("\r\033[Kwaiting for process 7\n"), s);
        assertTrue(s.contains("\r\033[Kqwen 100% [========================] 2.0 MB/2.0 MB, "), s);
        assertTrue(s.endsWith(" left\n"), s);
    }
}
