package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.catalog.NameSuggestions;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine;

/** Turns every failure into one line on stderr and an exit code; a stack trace only with -v. */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if (e instanceof SlmException) {
            return report(cmd, e.getMessage(), ExitCodes.FAILURE, e);
        }
        if (e instanceof IllegalArgumentException) {
            return report(cmd, e.getMessage() + " (see `" + cmd.getCommandSpec().qualifiedName() + " --help`)", ExitCodes.USAGE, e);
        }
        return report(cmd, "internal error: " + e + " (please report it; run with -v for details)", ExitCodes.INTERNAL, e);
    }

    static int parameterError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println("slm: error: " + e.getMessage() + suggestion(e) + " (see `"
                + cmd.getCommandSpec().qualifiedName() + " --help`)");
        cmd.getErr().flush();
        return ExitCodes.USAGE;
    }

    /**
     * "Did you mean" for a mistyped command or option (`slm rn` -> run), in the one line. Picocli's
     * own suggestions only match option prefixes and shared letter pairs ("rn" has none with "run"),
     * so the store's name matcher (edit distance, prefixes) is used on the names picocli knows.
     */
    private static String suggestion(CommandLine.ParameterException e) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
            return "";
        }
        String typed = u.getUnmatched().getFirst();
        CommandLine.Model.CommandSpec spec = e.getCommandLine().getCommandSpec();
        java.util.Collection<String> known = typed.startsWith("-")
                ? spec.options().stream().filter(o -> !o.hidden()).flatMap(o -> java.util.Arrays.stream(o.names())).toList()
                : spec.subcommands().keySet();
        String bare = typed.contains("=") ? typed.substring(0, typed.indexOf('=')) : typed;
        // Equally close, a name holding the typed letters in order wins: `rn` is more likely run than rm.
        List<String> closest = NameSuggestions.closest(bare, known).stream()
                .sorted(Comparator.comparing((String name) -> !isSubsequence(bare, name))).toList();
        return NameSuggestions.hint(closest);
    }

    private static boolean isSubsequence(String typed, String name) {
        int at = 0;
        for (int i = 0; i < name.length() && at < typed.length(); i++) {
            at += name.charAt(i) == typed.charAt(at) ? 1 : 0;
        }
        return at == typed.length();
    }

    private static int report(CommandLine cmd, String message, int code, Exception e) {
        System.out.flush();
        cmd.getErr().println("slm: error: " + message);
        if (Verbosity.isVerbose()) {
            e.printStackTrace(cmd.getErr());
        }
        cmd.getErr().flush();
        return code;
    }
}
