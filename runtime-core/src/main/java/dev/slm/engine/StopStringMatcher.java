package dev.slm.engine;

import java.util.List;

/**
 * Finds stop strings in streamed text. Text that could be the start of a stop string is held back
 * until the next piece shows whether it is, so the caller never emits part of a stop string.
 */
final class StopStringMatcher {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    StopStringMatcher(List<String> stops) {
        this.stops = stops;
    }

    /** Adds a piece and returns the text that is safe to emit now. */
    String accept(String piece) {
        if (stops.isEmpty()) {
            return piece;
        }
        pending.append(piece);
        int earliest = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (earliest < 0 || at < earliest)) {
                earliest = at;
            }
        }
        if (earliest >= 0) {
            stopped = true;
            String out = pending.substring(0, earliest);
            pending.setLength(0);
            return out;
        }
        int hold = 0;
        for (String stop : stops) {
            hold = Math.max(hold, overlap(stop));
        }
        String out = pending.substring(0, pending.length() - hold);
        pending.delete(0, pending.length() - hold);
        return out;
    }

    boolean stopped() {
        return stopped;
    }

    /** Text held back when the generation ended without completing a stop string. */
    String flush() {
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    /** Length of the longest proper prefix of {@code stop} that the pending text ends with. */
    private int overlap(String stop) {
        for (int k = Math.min(stop.length() - 1, pending.length()); k > 0; k--) {
            if (pending.substring(pending.length() - k).equals(stop.substring(0, k))) {
                return k;
            }
        }
        return 0;
    }
}
