package dev.slm.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(name = "slm",
        mixinStandardHelpOptions = true,
        versionProvider = VersionInfo.class,
        description = "Run small language models (GGUF) on this machine, offline.",
        usageHelpAutoWidth = true)
final class SlmCommand implements Runnable {
    /**
     * The subcommands, in the order `slm --help` lists them. Not in the annotation: Main adds only
     * the one a command line names (see {@link Main#commandLine}).
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(RunCommand.class, ChatCommand.class, ServeCommand.class,
            PullCommand.class, ListCommand.class, ShowCommand.class, VerifyCommand.class, RmCommand.class,
            ImportCommand.class, CreateCommand.class, CpCommand.class, PsCommand.class, StopCommand.class,
            ProfileCommand.class, BenchCommand.class, VersionCommand.class,
            picocli.CommandLine.HelpCommand.class);

    // --verbose is not this: in `run` and `chat` it prints the answer's speed, as with Ollama.
    @Option(names = {"-v", "--debug"}, scope = ScopeType.INHERIT,
            description = "Log what slm and llama.cpp do (to stderr).")
    void setVerbose(boolean v) {
        if (v) {
            Verbosity.enable();
        }
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
