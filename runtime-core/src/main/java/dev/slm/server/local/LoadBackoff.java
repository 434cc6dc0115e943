package dev.slm.server.local;

import dev.slm.server.backend.BackendException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spaces out the loads of a model whose loads keep failing. Without it every request (and every
 * queued one, one after the other) started a runner that crashed again: 10 requests, 9 serial
 * loads. After a failure the next attempt waits 1 s, then 2, 4... up to 60 s; requests in between
 * get 503 at once with the last failure and {@code Retry-After}. A successful load resets it.
 * Used under its model's lock.
 */
final class LoadBackoff {
    private static final Logger log = LoggerFactory.getLogger(LoadBackoff.class);
    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofSeconds(60);

    private int failures;
    private long retryAtNanos;
    private String lastError;

    /** @throws BackendException not loaded, while the model is backing off */
    void check(String model) {
        long wait = retryAtNanos - System.nanoTime();
        if (failures > 0 && wait > 0) {
            long seconds = Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
            throw BackendException.notLoaded("model_load_failed",
                    "model '" + model + "' failed to load " + failures + (failures == 1 ? " time" : " times") + " (last: "
                            + lastError + "); the next attempt is in " + seconds + " s", (int) seconds);
        }
    }

    /** Records a failed load and returns the line that {@code /ready} shows. */
    String failed(String model, String error) {
        failures++;
        lastError = error;
        Duration delay = FIRST.multipliedBy(1L << Math.min(failures - 1, 6));
        if (delay.compareTo(MAX) > 0) {
            delay = MAX;
        }
        retryAtNanos = System.nanoTime() + delay.toNanos();
        log.warn("model '{}' failed to load ({} in a row); not trying again for {} s", model, failures, delay.toSeconds());
        return "loading failed " + failures + (failures == 1 ? " time" : " times") + ", next try in " + delay.toSeconds()
                + " s: " + error;
    }

    void succeeded() {
        failures = 0;
        lastError = null;
    }

    /** Failures of the model or its runner count; the server shutting down or a request interrupted do not. */
    static boolean counts(BackendException e) {
        return e.kind() != BackendException.Kind.STOPPED;
    }
}
