package dev.slm.download;

import dev.slm.store.ByteSize;
import java.util.Locale;

/** One transfer as a progress display sees it: how far, how fast, how long still. */
final class Transfer {
    private final String label;
    private final long total;
    private final long resumedAt;
    private final long startNanos = System.nanoTime();
    private long done;

    Transfer(String label, long total, long resumedAt) {
        this.label = label;
        this.total = total;
        this.resumedAt = resumedAt;
        this.done = resumedAt;
    }

    String label() {
        return label;
    }

    long total() {
        return total;
    }

    long done() {
        return done;
    }

    void advance(long bytesOnDisk) {
        done = bytesOnDisk;
    }

    int percent() {
        return total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
    }

    /** "210 MB/469 MB, 12.4 MB/s, 0:21 left"; bytes resumed from disk do not count toward the rate. */
    String describe() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = seconds <= 0 ? 0 : (done - resumedAt) / seconds;
        String eta = rate <= 0 ? "" : ", " + duration((long) ((total - done) / rate)) + " left";
        return ByteSize.format(done) + "/" + ByteSize.format(total) + ", " + ByteSize.format((long) rate) + "/s" + eta;
    }

    static String duration(long seconds) {
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
