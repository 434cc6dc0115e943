package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.store.Manifest;
import dev.slm.variant.Slmfile;
import dev.slm.variant.VariantCreator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Make a named model variant from an Slmfile (Ollama's Modelfile syntax):",
            "FROM a model name or .gguf file, SYSTEM, PARAMETER NAME VALUE, TEMPLATE, ADAPTER FILE [SCALE], LICENSE.",
            "The variant runs wherever a model name does (run, chat, serve); adapters are copied into the store."})
final class CreateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The variant's name.")
    String name;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "The Slmfile (default: ./Slmfile, else ./Modelfile).")
    Path file;

    @Mixin
    ModelSourceOptions source;

    @Override
    public Integer call() {
        Path path = file != null ? file : Files.exists(Path.of("Slmfile")) ? Path.of("Slmfile") : Path.of("Modelfile");
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException e) {
            throw new SlmException("cannot read " + path + (Files.exists(path) ? ": " + e.getMessage()
                    : ": no such file (pass the Slmfile with -f FILE)"));
        }
        Slmfile slmfile;
        try {
            slmfile = Slmfile.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SlmException(path + ", " + e.getMessage());
        }
        Path dir = path.toAbsolutePath().getParent();
        Manifest m = new VariantCreator(source.store.store()).create(name, slmfile, dir,
                from -> ModelReference.manifest(from, source));
        System.out.println("created " + m.name() + " (from " + slmfile.from()
                + (m.variant().adapters().isEmpty() ? "" : ", " + m.variant().adapters().size() + " adapter(s)") + ")");
        return ExitCodes.OK;
    }
}
