package dev.slm.cli;

import dev.slm.catalog.Catalog;
import dev.slm.catalog.CatalogEntry;
import dev.slm.download.ModelPuller;
import dev.slm.store.ByteSize;
import dev.slm.store.ModelStore;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Download models of the catalog into the model store.",
            "Interrupted downloads resume; every file is checked against the size and sha256 in models.lock."})
final class PullCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Catalog names (`slm list --available`).")
    List<String> names;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        Catalog catalog = store.catalog();
        List<CatalogEntry> entries = names.stream().map(n -> store.entry(catalog, n)).toList();
        ModelStore models = store.store();
        for (CatalogEntry entry : entries) {
            ModelPuller.Result r = store.pull(models, entry);
            System.out.println(entry.name() + "  " + ByteSize.format(entry.size()) + "  sha256:"
                    + r.manifest().sha256().substring(0, 12)
                    + r.manifest().visionProjector().map(p -> "  + vision projector " + ByteSize.format(p.size())
                            + " sha256:" + p.sha256().substring(0, 12)).orElse("")
                    + "  " + (r.downloaded() ? "pulled" : "already present"));
        }
        return ExitCodes.OK;
    }
}
