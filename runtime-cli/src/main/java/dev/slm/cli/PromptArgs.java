package dev.slm.cli;

import dev.slm.SlmException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * MODEL and PROMPT of {@code run} and {@code chat}: as words ({@code slm run MODEL "prompt"}, as with
 * Ollama) or as llama.cpp's flags ({@code -m MODEL -p "prompt"}, {@code -f prompt.txt}).
 */
final class PromptArgs {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Parameters(arity = "0..2", paramLabel = "MODEL [PROMPT]",
            description = {"MODEL: a model name (pulled on first use; `slm list --available`) or the path of a .gguf file.",
                "PROMPT: the text to answer or continue; '-' reads it from stdin."})
    List<String> words = new ArrayList<>();

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL", description = "The model, as a flag (llama.cpp's spelling).")
    String modelFlag;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "The prompt, as a flag.")
    String promptFlag;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the prompt from this file.")
    Path promptFile;

    String model() {
        String model = modelFlag != null ? modelFlag : words.isEmpty() ? null : words.getFirst();
        if (model == null) {
            throw new ParameterException(spec.commandLine(), "Missing required parameter: 'MODEL'");
        }
        return model;
    }

    /** The prompt given on the command line (not stdin's), if any; '-' stands for stdin. */
    Optional<String> prompt() {
        List<String> rest = modelFlag != null ? words : words.subList(Math.min(1, words.size()), words.size());
        int given = rest.size() + (promptFlag != null ? 1 : 0) + (promptFile != null ? 1 : 0);
        if (given > 1) {
            throw new ParameterException(spec.commandLine(), "give one prompt: as a word, with -p or with -f");
        }
        if (promptFile != null) {
            try {
                return Optional.of(Files.readString(promptFile, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new SlmException("cannot read the prompt file " + promptFile + ": " + e.getMessage());
            }
        }
        return Optional.ofNullable(promptFlag != null ? promptFlag : rest.isEmpty() ? null : rest.getFirst());
    }
}
