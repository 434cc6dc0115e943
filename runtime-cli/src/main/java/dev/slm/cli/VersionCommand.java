package dev.slm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** `slm version`, as Ollama users type it; the same as `slm --version`. */
@Command(name = "version", description = "Print slm's version and the llama.cpp under it.")
final class VersionCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        for (String line : new VersionInfo().getVersion()) {
            System.out.println(line);
        }
        return ExitCodes.OK;
    }
}
