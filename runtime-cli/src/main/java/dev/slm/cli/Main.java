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
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V") || args[0].equals("version"))) {
            // Scripts and service checks ask this often; it needs no command-line parser, and
            // skipping picocli's classes halves its start-up (docs/performance.md, cold start).
            return new VersionCommand().call();
        }
        CommandLine cli = commandLine(args);
        cli.setExecutionExceptionHandler(new ErrorReporter());
        cli.setParameterExceptionHandler(ErrorReporter::parameterError);
        cli.setOut(new java.io.PrintWriter(System.out, true));
        // `--json-schema @FILE` is llama.cpp's spelling: picocli must not expand @FILE as an argument file.
        cli.setExpandAtFiles(false);
        return cli.execute(args);
    }

    /**
     * The command line with only the subcommand that {@code args} names, or with every one where the
     * words name none (help, a typo that needs suggestions, no subcommand at all). picocli reads a
     * command's annotations when it is added, and its classes (built for Java 5) can be neither
     * archived by CDS nor verified quickly: building all thirteen took 180 ms of a 260 ms
     * {@code slm --version} (class-load log, JDK 25 AOT cache), building one is a fraction of that.
     */
    static CommandLine commandLine(String... args) {
        CommandLine cli = new CommandLine(new SlmCommand());
        String word = firstWord(args);
        Class<?> named = word == null ? null : subcommandNamed(word);
        if (named != null) {
            cli.addSubcommand(newInstance(named));
        } else if (!(word == null && versionOnly(args))) {
            for (Class<?> c : SlmCommand.SUBCOMMANDS) {
                cli.addSubcommand(newInstance(c));
            }
        }
        return cli;
    }

    /** The first argument that is not one of slm's own options (none of which takes a value). */
    private static String firstWord(String[] args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    private static boolean versionOnly(String[] args) {
        for (String a : args) {
            if (a.equals("-V") || a.equals("--version")) {
                return true;
            }
        }
        return false;
    }

    private static Class<?> subcommandNamed(String word) {
        for (Class<?> c : SlmCommand.SUBCOMMANDS) {
            CommandLine.Command command = c.getAnnotation(CommandLine.Command.class);
            if (c != CommandLine.HelpCommand.class
                    && (command.name().equals(word) || java.util.Arrays.asList(command.aliases()).contains(word))) {
                return c;
            }
        }
        return null;
    }

    private static Object newInstance(Class<?> c) {
        try {
            var constructor = c.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the command " + c.getName(), e);
        }
    }
}
