package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.catalog.ModelName;
import dev.slm.catalog.NameSuggestions;
import dev.slm.store.ByteSize;
import dev.slm.store.ModelStore;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Remove models from the store; a file goes when no other name uses it.")
final class RmCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Models to remove (`slm list`).")
    List<String> names;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        ModelStore models = store.store();
        List<String> present = models.manifestNames();
        for (String name : names) {
            if (!present.contains(ModelName.normalize(name))) {
                throw new SlmException("no model named " + name + " in " + models.root()
                        + NameSuggestions.hint(NameSuggestions.closest(name, present)) + " (`slm list` shows what is there)");
            }
        }
        for (String name : names) {
            long freed = models.remove(name);
            System.out.println("removed " + ModelName.normalize(name) + (freed > 0 ? " (freed " + ByteSize.format(freed) + ")" : ""));
        }
        return ExitCodes.OK;
    }
}
