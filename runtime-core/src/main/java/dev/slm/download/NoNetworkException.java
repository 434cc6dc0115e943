package dev.slm.download;

import dev.slm.SlmException;

/**
 * No mirror of a file could even be reached: its host does not resolve or the network is down.
 * Thrown at the first try, without retries, since waiting would not bring the network back; a
 * front end can add how to work offline.
 */
public final class NoNetworkException extends SlmException {
    public NoNetworkException(String message) {
        super(message);
    }
}
