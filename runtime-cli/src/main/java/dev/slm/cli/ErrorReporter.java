package dev.slm.cli;

import dev.slm.SlmException;
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
        cmd.getErr().println("slm: error: " + e.getMessage() + " (see `" + cmd.getCommandSpec().qualifiedName() + " --help`)");
        cmd.getErr().flush();
        return ExitCodes.USAGE;
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
