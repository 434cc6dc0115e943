package dev.slm.cli;

import dev.slm.engine.DraftModel;
import dev.slm.engine.LoraAdapter;
import dev.slm.engine.Model;
import dev.slm.engine.ModelOptions;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufReader;
import dev.slm.profile.LaunchPlan;
import dev.slm.profile.LaunchPlanner;
import dev.slm.profile.LaunchRequest;
import dev.slm.store.ModelStore;
import dev.slm.store.Variant;
import dev.slm.variant.VariantCreator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How to open the model: the flags that override the hardware profile's choices. A flag left out
 * takes the profile's value (see `slm profile`).
 */
final class ModelOptionsMixin {
    private static final Logger log = LoggerFactory.getLogger("slm.profile");

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    // Ollama's and llama.cpp's spellings too: -c/--ctx-size, -ngl/--n-gpu-layers.
    @Option(names = {"--ctx", "-c", "--ctx-size"}, paramLabel = "TOKENS",
            description = "Context size in tokens (default: the model's, at most the profile's cap, lowered to fit in memory).")
    int contextSize;

    @Option(names = {"-t", "--threads"}, paramLabel = "N",
            description = "CPU threads (default: the profile's rule, e.g. one per physical core).")
    int threads;

    @Option(names = "--batch", paramLabel = "TOKENS", description = "Prompt-processing batch size (default: the profile's).")
    Integer batchSize;

    @Option(names = {"--gpu-layers", "-ngl", "--n-gpu-layers"}, paramLabel = "N",
            description = "Layers to offload to a GPU; -1 = all (default: as many as fit, on a GPU profile).")
    Integer gpuLayers;

    @Option(names = "--profile", paramLabel = "NAME",
            description = "Hardware profile to use instead of the detected one (also SLM_PROFILE); `slm profile` lists them.")
    String profile;

    @Option(names = "--mmproj", paramLabel = "FILE",
            description = "Vision projector (an mmproj GGUF file) made for the model, so that it can see images (--image, /image).")
    Path projector;

    @Option(names = {"--draft", "-md", "--model-draft"}, paramLabel = "MODEL",
            description = "A small model of the same family (a file, or a name from `slm list`) that drafts tokens for"
                    + " this one to verify: faster answers, the same greedy text (speculative decoding).")
    String draft;

    @Option(names = {"--draft-max", "--spec-draft-n-max"}, paramLabel = "N",
            description = "Tokens the draft proposes per step (default: llama.cpp's, 16).")
    int draftMax;

    @Option(names = "--lora", paramLabel = "FILE",
            description = "LoRA adapter (GGUF) to apply to the model's weights (repeatable), as llama.cpp's --lora.")
    List<Path> lora = new ArrayList<>();

    @Option(names = "--lora-scaled", arity = "2", paramLabel = "FILE SCALE",
            description = "LoRA adapter with a scale: --lora-scaled FILE SCALE (repeatable); scale 0 turns it off.")
    List<String> loraScaled = new ArrayList<>();

    /** The adapters of these flags, in the order llama.cpp applies them: --lora ones, then --lora-scaled ones. */
    List<LoraAdapter> adapters() {
        List<LoraAdapter> out = new ArrayList<>();
        lora.forEach(p -> out.add(new LoraAdapter(p)));
        for (int i = 0; i + 1 < loraScaled.size(); i += 2) {
            String scale = loraScaled.get(i + 1);
            try {
                out.add(new LoraAdapter(Path.of(loraScaled.get(i)), Float.parseFloat(scale)));
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--lora-scaled FILE SCALE: the scale must be a number, got '"
                        + scale + "'");
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--lora-scaled: " + e.getMessage());
            }
        }
        return out;
    }

    LaunchRequest request() {
        return new LaunchRequest(Optional.ofNullable(profile), contextSize, threads,
                batchSize == null ? OptionalInt.empty() : OptionalInt.of(batchSize),
                gpuLayers == null ? OptionalInt.empty() : OptionalInt.of(gpuLayers));
    }

    /** Opens the model as this machine's profile and these flags say, saying what the user should know. */
    Model open(Path path) {
        return open(path, Optional.empty(), List.of(), null, draftModel(null));
    }

    /** A model by name or path; a variant's adapters, template and num_ctx apply (--ctx wins over num_ctx). */
    Model open(ModelReference.Resolved model, ModelStore store) {
        List<LoraAdapter> adapters = new ArrayList<>();
        model.variant().ifPresent(v -> {
            v.adapters().forEach(a -> adapters.add(new LoraAdapter(store.adapterFile(model.name().orElseThrow(), a), a.scale())));
            if (contextSize == 0) {
                VariantCreator.contextSize(v).ifPresent(c -> contextSize = c);
            }
        });
        return open(model.file(), model.projector(), adapters, model.variant().map(Variant::template).orElse(null),
                draftModel(store));
    }

    /**
     * Opens the model with a vision projector: --mmproj, else {@code pairedProjector} (the one a
     * vision model of the catalog was pulled with), else none.
     *
     * @param adapters     applied before those of --lora and --lora-scaled (a variant's, see `slm create`)
     * @param chatTemplate a variant's TEMPLATE; null = the file's
     */
    Model open(Path path, Optional<Path> pairedProjector, List<LoraAdapter> adapters, String chatTemplate,
               DraftModel draftModel) {
        GgufFile info = GgufReader.read(path);
        List<LoraAdapter> all = new ArrayList<>(adapters);
        all.addAll(adapters());
        ModelOptions base = ModelOptions.defaults().withProjector(projector(pairedProjector).orElse(null)).withAdapters(all)
                .withChatTemplate(chatTemplate).withDraft(draftModel);
        return Model.open(info, plan(info, base).options());
    }

    /**
     * The model of --draft: a file, else a model of {@code store} by name (null: files only); null
     * without --draft.
     */
    DraftModel draftModel(ModelStore store) {
        if (draft == null) {
            return null;
        }
        if (draftMax < 0 || draftMax > 64) {
            throw new ParameterException(spec.commandLine(), "--draft-max: give 1 to 64 tokens per step, got " + draftMax);
        }
        Path file = Path.of(draft);
        if (!Files.isRegularFile(file) && store != null) {
            file = store.modelFile(draft).orElse(file);
        }
        if (!Files.isRegularFile(file)) {
            throw new ParameterException(spec.commandLine(), "--draft " + draft + ": no such file"
                    + (store != null ? " nor model in " + store.root() + " (see `slm list`)" : ""));
        }
        return new DraftModel(file, draftMax);
    }

    /** The projector the model will be opened with. */
    Optional<Path> projector(Optional<Path> pairedProjector) {
        return projector != null ? Optional.of(projector) : pairedProjector;
    }

    /**
     * The profile's options under these flags, with the model fitted to memory. Logs the one-line
     * fallback notice (a better profile lacks its library) and a lowered context as warnings.
     *
     * @param base seed, parallel slots and embeddings come from here
     */
    LaunchPlan plan(GgufFile info, ModelOptions base) {
        LaunchPlan plan = LaunchPlanner.forThisMachine().plan(info, request(), base.withNativeLogs(Verbosity.isVerbose()));
        plan.choice().fallback().ifPresent(log::warn);
        plan.fit().warnings().forEach(log::warn);
        plan.fit().notes().forEach(log::info);
        log.debug("profile {} ({}); library: {}; {}", plan.profile().name(), plan.choice().reason(), plan.choice().library(),
                plan.options());
        return plan;
    }
}
