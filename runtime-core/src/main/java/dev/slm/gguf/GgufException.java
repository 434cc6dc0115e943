package dev.slm.gguf;

import dev.slm.SlmException;

/** The file is not a readable GGUF model: not one at all, truncated, or corrupt. */
public final class GgufException extends SlmException {
    public GgufException(String message) {
        super(message);
    }
}
