package dev.slm.engine;

import java.time.Duration;

/**
 * Where a generation's time went, measured at the API boundary (what a caller sees).
 *
 * @param timeToFirstToken from the request to the first generated token (prompt processing included).
 * @param total            from the request to the end.
 * @param tokensPerSecond  generated tokens after the first, per second of decoding; 0 with fewer than two.
 */
public record Timings(Duration timeToFirstToken, Duration total, double tokensPerSecond) {
}
