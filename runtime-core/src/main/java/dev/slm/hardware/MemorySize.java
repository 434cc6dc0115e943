package dev.slm.hardware;

import java.util.Locale;

/** Byte counts as slm's messages write them. */
public final class MemorySize {
    private static final double MIB = 1L << 20;
    private static final double GIB = 1L << 30;

    private MemorySize() {
    }

    /** "4.4 GiB": one decimal, as the fit planner's messages compare sizes. */
    public static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / GIB);
    }

    /** MiB below 100 MiB, so that a small model's figures do not all read "0.0 GiB". */
    public static String readable(long bytes) {
        return bytes < 100 * MIB ? String.format(Locale.ROOT, "%.1f MiB", bytes / MIB) : gib(bytes);
    }
}
