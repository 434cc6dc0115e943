package dev.slm.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/** Entry point of the {@code slm} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Model text is UTF-8 whatever the locale says; the stream is flushed per token by the commands.
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8));
        honourHome(System.getenv());
        int code = run(args);
        System.out.flush();
        // The binding's native worker thread never ends (upstream #116): exit explicitly.
        System.exit(code);
    }

    /**
     * Java takes user.home from the password database, not from $HOME; a user who sets HOME
     * (`env HOME=/x slm ...`, a container, sudo -H) means that directory, as every other program
     * reads it. Everything in slm (and the native library's cache) derives its paths from user.home.
     */
    static void honourHome(Map<String, String> env) {
        String home = env.get("HOME");
        if (home != null && !home.isBlank() && home.startsWith("/")) {
            System.setProperty("user.home", home);
        }
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new SlmCommand());
        cli.setExecutionExceptionHandler(new ErrorReporter());
        cli.setParameterExceptionHandler(ErrorReporter::parameterError);
        cli.setOut(new java.io.PrintWriter(System.out, true));
        // `--json-schema @FILE` is llama.cpp's spelling: picocli must not expand @FILE as an argument file.
        cli.setExpandAtFiles(false);
        return cli.execute(args);
    }
}
