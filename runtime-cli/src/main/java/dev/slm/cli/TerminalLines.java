package dev.slm.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.InfoCmp;

/**
 * Chat input at a terminal, through JLine: arrow keys and the usual editing keys, history kept
 * across sessions, Ctrl-C clears the line (and, while an answer is written, stops it), Ctrl-D leaves.
 */
final class TerminalLines implements LineSource {
    private final Terminal terminal;
    private final LineReader reader;

    private TerminalLines(Terminal terminal, LineReader reader) {
        this.terminal = terminal;
        this.reader = reader;
    }

    static TerminalLines open(Map<String, String> env) {
        try {
            Terminal terminal = TerminalBuilder.builder().system(true).name("slm").build();
            DefaultParser parser = new DefaultParser();
            // Text goes to the model as typed: no shell-like quoting, escapes or history expansion.
            parser.setEofOnUnclosedQuote(false);
            parser.setEofOnEscapedNewLine(false);
            LineReaderBuilder builder = LineReaderBuilder.builder().terminal(terminal).appName("slm").parser(parser)
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    .variable(LineReader.SECONDARY_PROMPT_PATTERN, "... ");
            Path history = historyFile(env);
            if (history != null) {
                builder.variable(LineReader.HISTORY_FILE, history);
            }
            return new TerminalLines(terminal, builder.build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the terminal", e);
        }
    }

    /**
     * History belongs to the user, with slm's state: $SLM_HOME/history, else
     * $XDG_STATE_HOME/slm/history, else ~/.local/state/slm/history. Null (no history) when the
     * directory cannot be made.
     */
    static Path historyFile(Map<String, String> env) {
        String slmHome = env.get("SLM_HOME");
        String state = env.get("XDG_STATE_HOME");
        Path dir = slmHome != null && !slmHome.isBlank() ? Path.of(slmHome)
                : (state != null && !state.isBlank() ? Path.of(state) : Path.of(System.getProperty("user.home"), ".local", "state"))
                        .resolve("slm");
        try {
            Files.createDirectories(dir);
            return dir.resolve("history");
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String readLine(String prompt) {
        while (true) {
            try {
                return reader.readLine(prompt);
            } catch (UserInterruptException e) {
                // Ctrl-C at the prompt drops the line being typed, as in a shell.
                if (e.getPartialLine() == null || e.getPartialLine().isEmpty()) {
                    terminal.writer().println(Dim.text("(/exit or Ctrl-D to leave)", true));
                    terminal.flush();
                }
            } catch (EndOfFileException e) {
                return null;
            }
        }
    }

    @Override
    public void onInterrupt(Runnable action) {
        terminal.handle(Terminal.Signal.INT, signal -> action.run());
    }

    @Override
    public int width() {
        int width = terminal.getWidth();
        return width > 10 ? width - 1 : 0;
    }

    @Override
    public boolean interactive() {
        return true;
    }

    @Override
    public void clearScreen() {
        terminal.puts(InfoCmp.Capability.clear_screen);
        terminal.flush();
    }

    @Override
    public void close() {
        try {
            reader.getHistory().save();
            terminal.close();
        } catch (IOException e) {
            // Leaving anyway; the history of this session is all that could be lost.
        }
    }
}
