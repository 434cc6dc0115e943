package dev.slm.routing.redaction;

/**
 * Puts originals back into text that arrives in pieces, such as a streamed answer, where a placeholder
 * may be split between two pieces ("[EMA" + "IL_1]"). A tail that could still become a placeholder is
 * held back until the next piece decides it; {@link #flush()} gives up what is left at the end.
 * One per choice of one stream; not thread-safe.
 */
public final class StreamRestorer {
    private final Redactions redactions;
    private final StringBuilder held = new StringBuilder();

    StreamRestorer(Redactions redactions) {
        this.redactions = redactions;
    }

    /** The text that can be given out now, originals restored; may be shorter than {@code piece}, or empty. */
    public String accept(String piece) {
        held.append(piece);
        int keep = holdFrom();
        String out = held.substring(0, keep);
        held.delete(0, keep);
        return redactions.restore(out);
    }

    /** Whatever is still held back (it never became a placeholder). */
    public String flush() {
        String out = redactions.restore(held.toString());
        held.setLength(0);
        return out;
    }

    /** Whether text is held back. */
    public boolean holding() {
        return !held.isEmpty();
    }

    /**
     * Where the text that must wait begins: at the last '[' when what follows it is the beginning of
     * a placeholder. A placeholder holds a single '[', so none can straddle that point.
     */
    private int holdFrom() {
        int open = held.lastIndexOf("[");
        if (open < 0 || held.indexOf("]", open) >= 0) {
            return held.length();
        }
        return redactions.isPlaceholderStart(held.subSequence(open, held.length())) ? open : held.length();
    }
}
