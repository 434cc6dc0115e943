package dev.slm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import sun.misc.Signal;

/** Chat input from a pipe or a file: no prompt, no editing; Ctrl-C still stops an answer. */
final class PipedLines implements LineSource {
    private final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    @Override
    public String readLine(String prompt) {
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ctrl-C with no answer being written ends slm, as for any filter. */
    @Override
    public void onInterrupt(Runnable action) {
        try {
            Signal.handle(new Signal("INT"), signal -> action.run());
        } catch (IllegalArgumentException e) {
            // No SIGINT on this platform: Ctrl-C keeps its default meaning.
        }
    }

    @Override
    public int width() {
        return 0;
    }

    @Override
    public boolean interactive() {
        return false;
    }

    @Override
    public void clearScreen() {
    }

    @Override
    public void close() {
    }
}
