package dev.slm.openai;

import java.util.concurrent.ThreadLocalRandom;

/** Response ids such as {@code chatcmpl-3f9a...}: unique enough to tell responses apart in logs. */
final class Ids {
    private Ids() {
    }

    static String random() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Long.toHexString(r.nextLong() | Long.MIN_VALUE);
    }
}
