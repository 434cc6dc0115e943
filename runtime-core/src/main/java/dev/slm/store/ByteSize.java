package dev.slm.store;

import java.util.Locale;

/** Byte counts as people read them: decimal units, as disk makers and Hugging Face print them. */
public final class ByteSize {
    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB"};

    private ByteSize() {
    }

    /** Memory sizes, which are counted in powers of two: "512 MiB", "1.5 GiB". */
    public static String mebibytes(long mib) {
        return mib < 1024 ? mib + " MiB" : String.format(Locale.ROOT, "%.1f GiB", mib / 1024.0);
    }

    public static String format(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        double v = bytes;
        int unit = 0;
        while (v >= 1000 && unit < UNITS.length - 1) {
            v /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, UNITS[unit]);
    }
}
