package dev.slm.download;

import java.time.Duration;

/**
 * How often one mirror is retried after a dropped connection, a timeout or a 5xx/429 answer, and how
 * long to wait between tries (doubling each time). A try that received bytes resets the count: a
 * flaky link that keeps making progress is never given up on.
 */
public record RetryPolicy(int attemptsPerMirror, Duration firstBackoff, Duration maxBackoff) {

    public RetryPolicy {
        if (attemptsPerMirror < 1) {
            throw new IllegalArgumentException("at least one attempt per mirror, got " + attemptsPerMirror);
        }
    }

    public static RetryPolicy standard() {
        return new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    /** The wait before try {@code failures + 1}. */
    public Duration backoff(int failures) {
        long factor = 1L << Math.min(failures - 1, 20);
        Duration d = firstBackoff.multipliedBy(factor);
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
}
