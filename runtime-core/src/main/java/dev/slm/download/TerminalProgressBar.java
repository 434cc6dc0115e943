package dev.slm.download;

import java.io.PrintStream;

/** A one-line bar redrawn in place (at most ten times a second): percent, bytes, rate, time left. */
final class TerminalProgressBar implements ProgressReporter {
    private static final int WIDTH = 24;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private Transfer transfer;
    private long lastDraw;

    TerminalProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void start(String label, long total, long resumedAt) {
        transfer = new Transfer(label, total, resumedAt);
        if (resumedAt > 0) {
            out.print("resuming " + label + " at " + transfer.percent() + "%\n");
        }
        draw();
    }

    @Override
    public synchronized void update(long done) {
        transfer.advance(done);
        if (System.nanoTime() - lastDraw >= REDRAW_NANOS) {
            draw();
        }
    }

    @Override
    public synchronized void note(String line) {
        out.print("\r\033[K" + line + "\n");
        if (transfer != null) {
            draw();
        }
        out.flush();
    }

    @Override
    public synchronized void finish() {
        if (transfer != null) {
            draw();
            out.print("\n");
            out.flush();
            transfer = null;
        }
    }

    private void draw() {
        lastDraw = System.nanoTime();
        int percent = transfer.percent();
        int filled = percent * WIDTH / 100;
        String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
        out.print("\r\033[K" + transfer.label() + " " + String.format("%3d%%", percent) + " [" + bar + "] "
                + transfer.describe());
        out.flush();
    }
}
