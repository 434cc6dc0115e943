package dev.slm.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What other processes take of the CPUs, from two readings of /proc. */
class CpuLoadTest {
    private static final String STAT = """
            cpu  %d 0 %d %d 40 0 10 %d 0 0
            cpu0 1 0 1 1 0 0 0 0 0 0
            cpu1 1 0 1 1 0 0 0 0 0 0
            intr 12345
            """;
    // A command name with a space and parentheses: the fields are counted after the last ')'.
    private static final String SELF = "4242 (java (slm) x) S 1 2 3 0 -1 4 5 6 7 8 %d %d 0 0 20 0 30\n";

    @Test
    void othersAreTheBusyTicksThisProcessDidNotUse() {
        CpuLoad a = CpuLoad.parse(STAT.formatted(1000, 200, 5000, 50), SELF.formatted(300, 20));
        assertEquals(2, a.cpus());
        assertEquals(1000 + 200 + 10 + 50, a.busyTicks());
        assertEquals(1000 + 200 + 10 + 50 + 5000 + 40, a.allTicks());
        assertEquals(320, a.selfTicks());
        // 200 ticks pass (100 per CPU): 150 busy, 40 of them this process's, 20 of them steal
        CpuLoad b = CpuLoad.parse(STAT.formatted(1110, 220, 5050, 70), SELF.formatted(330, 30));
        assertEquals((150 - 40) / 200.0 * 2, b.othersBusyCpusSince(a), 1e-9);
        assertEquals(0, a.othersBusyCpusSince(a), "no time passed");
    }

    @Test
    void somethingElseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> CpuLoad.parse("MemTotal: 1 kB\n", SELF.formatted(1, 1)));
        assertThrows(IllegalArgumentException.class, () -> CpuLoad.parse(STAT.formatted(1, 1, 1, 1), "garbage"));
    }

    @Test
    void aBusyProcessShowsAsOthers() throws Exception {
        Optional<CpuLoad> first = CpuLoad.now();
        assumeTrue(first.isPresent(), "no /proc here");
        Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        try {
            Thread.sleep(200);
            CpuLoad a = CpuLoad.now().orElseThrow();
            Thread.sleep(1500);
            double others = CpuLoad.now().orElseThrow().othersBusyCpusSince(a);
            // About one CPU; less only if the machine's other work crowds the loop out.
            assertTrue(others > 0.4 && others <= a.cpus(), "others: " + others);
        } finally {
            busy.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
