package dev.slm.cli;

/** Where chat input comes from: a line editor on a terminal, or plain lines from a pipe. */
interface LineSource extends AutoCloseable {

    /** The next line, without its newline; null at the end of input (Ctrl-D, end of the pipe). */
    String readLine(String prompt);

    /** Runs {@code action} on Ctrl-C while no line is being read (that is, while an answer is written). */
    void onInterrupt(Runnable action);

    /** Columns to wrap answers at; 0 for none. */
    int width();

    /** Whether a person types: prompts, colours and hints are shown. */
    boolean interactive();

    void clearScreen();

    @Override
    void close();
}
