package dev.slm.cli;

import dev.slm.catalog.CatalogEntry;
import dev.slm.store.ByteSize;
import dev.slm.store.Manifest;
import dev.slm.store.ModelStore;
import dev.slm.store.StoredModel;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the models in the store (or, with --available, the catalog).")
final class ListCommand implements Callable<Integer> {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    @Option(names = {"-a", "--available"}, description = "List the catalog's models, pulled or not.")
    boolean available;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        ModelStore models = store.store();
        if (available) {
            printCatalog(models);
            return ExitCodes.OK;
        }
        List<StoredModel> stored = models.list();
        if (stored.isEmpty()) {
            System.err.println("no models in " + models.root() + " yet: `slm pull NAME` (`slm list --available` shows the names)");
            return ExitCodes.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "SIZE", "QUANT", "ARCH", "VERIFIED"});
        for (StoredModel m : stored) {
            if (m.manifest().isEmpty()) {
                rows.add(new String[] {m.name(), "-", "-", "-", "CORRUPT MANIFEST (`slm rm " + m.name() + "`)"});
                continue;
            }
            Manifest man = m.manifest().get();
            String verified = m.problem().map(p -> "BROKEN: " + p)
                    .orElse(man.lastVerified().map(t -> DAY.format(t) + " UTC").orElse("no"));
            rows.add(new String[] {m.name(), ByteSize.format(man.size()), man.quantization(), man.architecture(), verified});
        }
        Table.print(rows);
        return ExitCodes.OK;
    }

    private void printCatalog(ModelStore models) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "PARAMS", "QUANT", "SIZE", "MIN RAM", "CONTEXT", "IMAGES", "LICENSE", "PULLED"});
        for (CatalogEntry e : store.catalog().entries()) {
            boolean pulled = e.sha256().map(sha -> models.hasBlob(sha, e.size())).orElse(false)
                    && models.manifestNames().contains(e.name());
            // A vision model's size is the model's and its projector's: both are pulled.
            long size = e.size() + e.projector().map(CatalogEntry.Projector::size).orElse(0L);
            rows.add(new String[] {e.name(), e.parameters(), e.quantization(), ByteSize.format(size),
                e.minRamMib() > 0 ? ByteSize.mebibytes(e.minRamMib()) : "?", String.valueOf(e.contextLength()),
                e.seesImages() ? "yes" : "-", e.license(), pulled ? "yes" : e.sha256().isPresent() ? "no" : "unverifiable"});
        }
        Table.print(rows);
    }
}
