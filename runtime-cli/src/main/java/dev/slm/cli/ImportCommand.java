package dev.slm.cli;

import dev.slm.store.ByteSize;
import dev.slm.store.Manifest;
import dev.slm.store.ModelImport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Adopt a local GGUF file into the model store under a name.",
            "The file is checked (GGUF header, an architecture slm runs) and copied; the original stays."})
final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The .gguf file.")
    Path file;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The name to run it by.")
    String name;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        Manifest m = new ModelImport(store.store()).importFile(file, name);
        System.out.println("imported " + m.name() + "  " + ByteSize.format(m.size()) + "  " + m.architecture() + "  "
                + m.quantization() + "  sha256:" + m.sha256().substring(0, 12));
        return ExitCodes.OK;
    }
}
