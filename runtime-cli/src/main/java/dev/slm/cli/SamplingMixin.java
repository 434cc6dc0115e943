package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.engine.SamplingOptions;
import dev.slm.store.Variant;
import dev.slm.variant.VariantCreator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * How to sample: the options of {@link SamplingOptions}, as flags, with llama.cpp's defaults. Where
 * llama.cpp spells a flag otherwise ({@code --temp}, {@code --n-predict}), its spelling works too.
 */
final class SamplingMixin {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = {"--temperature", "--temp"}, paramLabel = "T", defaultValue = "0.8",
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

    @Option(names = {"-n", "--max-tokens", "--n-predict"}, paramLabel = "N", defaultValue = "-1",
            description = "Tokens to generate at most; -1 = until the model ends or the context is full.")
    int maxTokens;

    @Option(names = "--stop", paramLabel = "TEXT", description = "End the answer at this text (repeatable).")
    List<String> stop = new ArrayList<>();

    @Option(names = "--grammar", paramLabel = "GBNF", description = "GBNF grammar the answer must follow.")
    String grammar;

    @Option(names = "--grammar-file", paramLabel = "FILE", description = "GBNF grammar file the answer must follow.")
    Path grammarFile;

    @Option(names = "--json-schema", paramLabel = "SCHEMA|@FILE",
            description = "JSON schema the answer must follow: the schema itself, @FILE or a file's path.")
    String jsonSchema;

    /** @throws IllegalArgumentException (a wrong command line) or SlmException (an unreadable file, a bad schema) */
    SamplingOptions toOptions() {
        if (grammar != null && grammarFile != null) {
            throw new IllegalArgumentException("give --grammar or --grammar-file, not both");
        }
        String gbnf = grammarFile != null ? read(grammarFile) : grammar;
        return new SamplingOptions(temperature, topK, topP, minP, repeatPenalty,
                SamplingOptions.defaults().repeatLastN(), seed, maxTokens, stop, gbnf,
                jsonSchema == null ? null : JsonSchemaArgument.read(jsonSchema));
    }

    /** The flag that sets each of Ollama's parameters, where there is one. */
    private static final Map<String, String> FLAG_OF = Map.of("temperature", "--temperature", "top_k", "--top-k",
            "top_p", "--top-p", "min_p", "--min-p", "repeat_penalty", "--repeat-penalty", "seed", "--seed",
            "num_predict", "--max-tokens", "stop", "--stop");

    /** These flags over a variant's parameters: a variant's PARAMETER applies unless its flag is given. */
    SamplingOptions toOptions(Optional<Variant> variant) {
        SamplingOptions flags = toOptions();
        if (variant.isEmpty()) {
            return flags;
        }
        ParseResult given = spec.commandLine().getParseResult();
        List<Variant.Parameter> defaults = variant.get().parameters().stream()
                .filter(p -> !FLAG_OF.containsKey(p.name()) || !given.hasMatchedOption(FLAG_OF.get(p.name())))
                .toList();
        return VariantCreator.sampling(flags, defaults);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new SlmException("cannot read the grammar file " + file + ": " + e.getMessage());
        }
    }
}
