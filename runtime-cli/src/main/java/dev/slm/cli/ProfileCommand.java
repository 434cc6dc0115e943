package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.engine.ModelOptions;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufReader;
import dev.slm.profile.LaunchPlan;
import dev.slm.profile.LaunchPlanner;
import dev.slm.profile.ProfileChoice;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "profile", mixinStandardHelpOptions = true, subcommands = ProfileInstallCommand.class,
        description = {"Show what slm detects on this machine, the hardware profile it chooses, and why.",
            "With a MODEL, also how that model would be opened: context, GPU layers, memory.",
            "`slm profile install cuda|vulkan` installs a profile's GPU plug-in."})
final class ProfileCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL",
            description = "A pulled model's name or the path of a .gguf file, to plan (never downloaded).")
    String model;

    @Mixin
    StoreOptions store;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Mixin
    ModelOptionsMixin modelOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        LaunchPlanner planner = LaunchPlanner.forThisMachine();
        ProfileChoice choice = planner.choose(modelOptions.request());
        Optional<GgufFile> info = Optional.ofNullable(model).map(m -> GgufReader.read(ModelReference.resolve(m, offline())));
        Optional<LaunchPlan> plan = Optional.empty();
        Optional<String> problem = choice.profile().isEmpty() ? Optional.of(choice.reason()) : Optional.empty();
        if (info.isPresent() && problem.isEmpty()) {
            try {
                plan = Optional.of(planner.plan(info.get(), modelOptions.request(), ModelOptions.defaults()));
            } catch (SlmException e) {
                problem = Optional.of(e.getMessage());
            }
        }
        ProfileReport report = new ProfileReport(planner.facts(), planner.catalog(), choice, info, plan, problem);
        spec.commandLine().getOut().print(json ? report.json() : report.text());
        spec.commandLine().getOut().flush();
        if (problem.isPresent()) {
            // The report is printed; the failure still shows in the exit code and on stderr, as for `slm run`.
            throw new SlmException(problem.get());
        }
        return ExitCodes.OK;
    }

    /** Planning a model is no reason to download it: a name must already be pulled. */
    private ModelSourceOptions offline() {
        ModelSourceOptions source = new ModelSourceOptions();
        source.store = store;
        source.offline = true;
        return source;
    }
}
