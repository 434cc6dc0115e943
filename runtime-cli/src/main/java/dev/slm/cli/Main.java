package dev.slm.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Entry point of the {@code slm} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Model text is UTF-8 whatever the locale says; the stream is flushed per token by the commands.
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8));
        int code = run(args);
        System.out.flush();
        // The binding's native worker thread never ends (upstream #116): exit explicitly.
        System.exit(code);
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new SlmCommand());
        cli.setExecutionExceptionHandler(new ErrorReporter());
        cli.setParameterExceptionHandler(ErrorReporter::parameterError);
        cli.setOut(new java.io.PrintWriter(System.out, true));
        return cli.execute(args);
    }
}
