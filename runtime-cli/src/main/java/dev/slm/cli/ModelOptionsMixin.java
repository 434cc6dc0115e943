package dev.slm.cli;

import dev.slm.engine.ModelOptions;
import picocli.CommandLine.Option;

/** How to open the model: the options of {@link ModelOptions}, as flags. */
final class ModelOptionsMixin {
    @Option(names = "--ctx", paramLabel = "TOKENS",
            description = "Context size in tokens (default: the model's, at most " + ModelOptions.DEFAULT_CONTEXT_CAP + ").")
    int contextSize;

    @Option(names = {"-t", "--threads"}, paramLabel = "N",
            description = "CPU threads (default: one per available core).")
    int threads;

    @Option(names = "--batch", paramLabel = "TOKENS", defaultValue = "512",
            description = "Prompt-processing batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--gpu-layers", paramLabel = "N", defaultValue = "0",
            description = "Layers to offload to a GPU; -1 = all (default: ${DEFAULT-VALUE}).")
    int gpuLayers;

    ModelOptions toOptions() {
        return ModelOptions.defaults()
                .withContextSize(contextSize)
                .withThreads(threads)
                .withBatchSize(batchSize)
                .withGpuLayers(gpuLayers)
                .withNativeLogs(Verbosity.isVerbose());
    }
}
