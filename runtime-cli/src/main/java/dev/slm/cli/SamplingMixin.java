package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.engine.SamplingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How to sample: the options of {@link SamplingOptions}, as flags, with llama.cpp's defaults. */
final class SamplingMixin {
    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.8",
            description = "Randomness; 0 = always the most likely token (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "40", description = "Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95", description = "Default: ${DEFAULT-VALUE}.")
    float topP;

    @Option(names = "--min-p", paramLabel = "P", defaultValue = "0.05", description = "Default: ${DEFAULT-VALUE}.")
    float minP;

    @Option(names = "--repeat-penalty", paramLabel = "X", defaultValue = "1.0", description = "Default: ${DEFAULT-VALUE}.")
    float repeatPenalty;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "-1", description = "Sampling seed; -1 = random.")
    long seed;

    @Option(names = {"-n", "--max-tokens"}, paramLabel = "N", defaultValue = "-1",
            description = "Tokens to generate at most; -1 = until the model ends or the context is full.")
    int maxTokens;

    @Option(names = "--stop", paramLabel = "TEXT", description = "End the answer at this text (repeatable).")
    List<String> stop = new ArrayList<>();

    @Option(names = "--grammar-file", paramLabel = "FILE", description = "GBNF grammar the answer must follow.")
    Path grammarFile;

    @Option(names = "--json-schema", paramLabel = "FILE", description = "JSON schema the answer must follow.")
    Path jsonSchemaFile;

    SamplingOptions toOptions() {
        return new SamplingOptions(temperature, topK, topP, minP, repeatPenalty,
                SamplingOptions.defaults().repeatLastN(), seed, maxTokens, stop,
                grammarFile == null ? null : read(grammarFile, "grammar"),
                jsonSchemaFile == null ? null : read(jsonSchemaFile, "JSON schema"));
    }

    private static String read(Path file, String what) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new SlmException("cannot read the " + what + " file " + file + ": " + e.getMessage());
        }
    }
}
