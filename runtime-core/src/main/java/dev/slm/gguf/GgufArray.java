package dev.slm.gguf;

import java.util.List;

/**
 * A metadata array. Large arrays (a tokenizer's 150,000 tokens) keep only their length and element
 * type: nothing in slm reads them, and holding them would cost megabytes per header read.
 */
public record GgufArray(String elementType, long length, List<Object> values) {
    /** Values are kept for arrays of at most this many elements. */
    public static final int KEPT_VALUES = 64;

    public boolean valuesKept() {
        return values != null;
    }
}
