package dev.slm.cli;

import dev.slm.store.Manifest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "cp", mixinStandardHelpOptions = true,
        description = "Give a stored model (or variant) a second name; the files are shared, not copied.")
final class CpCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOURCE", description = "A model in the store (`slm list`).")
    String from;

    @Parameters(index = "1", paramLabel = "DESTINATION", description = "The new name.")
    String to;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        Manifest copy = store.store().copy(store.catalog(), from, to);
        System.out.println("copied " + from + " to " + copy.name());
        return ExitCodes.OK;
    }
}
