package dev.slm.download;

import dev.slm.store.ByteSize;
import java.io.PrintStream;

/** Progress for logs: a line at the start, at every tenth of the way, and at the end. */
final class PlainProgressLines implements ProgressReporter {
    private final PrintStream out;
    private Transfer transfer;
    private int lastTenth;

    PlainProgressLines(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void start(String label, long total, long resumedAt) {
        transfer = new Transfer(label, total, resumedAt);
        lastTenth = transfer.percent() / 10;
        print("pulling " + label + ": " + ByteSize.format(total)
                + (resumedAt > 0 ? ", resuming at " + transfer.percent() + "%" : ""));
    }

    @Override
    public synchronized void update(long done) {
        transfer.advance(done);
        int tenth = transfer.percent() / 10;
        if (tenth > lastTenth && tenth < 10) {
            lastTenth = tenth;
            print("pulling " + transfer.label() + ": " + transfer.percent() + "% (" + transfer.describe() + ")");
        }
    }

    @Override
    public synchronized void note(String line) {
        print(line);
    }

    @Override
    public synchronized void finish() {
        if (transfer != null && transfer.percent() == 100) {
            print("pulling " + transfer.label() + ": 100% (" + transfer.describe() + ")");
        }
        transfer = null;
    }

    private void print(String line) {
        out.println(line);
        out.flush();
    }
}
