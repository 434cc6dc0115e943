package dev.slm.cli;

import java.io.PrintStream;

/**
 * Writes an answer as it streams: flushed piece by piece, wrapped at word boundaries when a width
 * is given (a terminal), and noticing when nobody reads any more ({@code slm run ... | head}), so
 * that the caller can stop generating instead of writing into a closed pipe.
 */
final class AnswerPrinter {
    private final PrintStream out;
    private final int width;
    private final StringBuilder word = new StringBuilder();
    private int column;
    private boolean closed;

    /** @param width columns to wrap at; 0 for no wrapping (a pipe or a file gets the text as is) */
    AnswerPrinter(PrintStream out, int width) {
        this.out = out;
        this.width = width;
    }

    /** Prints a piece; false once stdout is closed (PrintStream swallows EPIPE; checkError reports it). */
    boolean print(String piece) {
        if (width <= 0) {
            out.print(piece);
        } else {
            piece.codePoints().forEach(this::wrap);
        }
        out.flush();
        closed |= out.checkError();
        return !closed;
    }

    private void wrap(int c) {
        if (c == '\n') {
            flushWord();
            out.print('\n');
            column = 0;
        } else if (c == ' ') {
            flushWord();
            if (column >= width) {
                out.print('\n');
                column = 0;
            } else if (column > 0) {
                out.print(' ');
                column++;
            }
        } else {
            word.appendCodePoint(c);
        }
    }

    /** A word goes to the next line when it would cross the edge; one longer than a line is left to the terminal. */
    private void flushWord() {
        if (word.isEmpty()) {
            return;
        }
        int length = word.codePointCount(0, word.length());
        if (column > 0 && column + length > width) {
            out.print('\n');
            column = 0;
        }
        out.print(word);
        column += length;
        word.setLength(0);
    }

    /** Ends the answer with a newline. */
    void end() {
        flushWord();
        out.println();
        out.flush();
        column = 0;
        closed |= out.checkError();
    }

    boolean closed() {
        return closed;
    }
}
