package dev.slm.download;

import java.io.PrintStream;

/**
 * Shows a download's progress to a person, on stderr: a bar redrawn in place on a terminal, plain
 * lines otherwise (logs, CI, a systemd journal), where carriage returns would make a mess.
 */
public interface ProgressReporter {

    ProgressReporter SILENT = new ProgressReporter() {
        @Override
        public void start(String label, long total, long resumedAt) {
        }

        @Override
        public void update(long done) {
        }

        @Override
        public void note(String line) {
        }

        @Override
        public void finish() {
        }
    };

    /** A transfer of {@code total} bytes begins, {@code resumedAt} of them already on disk. */
    void start(String label, long total, long resumedAt);

    /** {@code done} bytes of the total are now on disk. */
    void update(long done);

    /** A line for the user between updates: a retry, a wait for a lock, a mirror given up. */
    void note(String line);

    /** The transfer is over: complete, or stopped (the caller then says why). */
    void finish();

    /** The bar when {@code terminal}, plain lines otherwise. */
    static ProgressReporter to(PrintStream out, boolean terminal) {
        return terminal ? new TerminalProgressBar(out) : new PlainProgressLines(out);
    }
}
