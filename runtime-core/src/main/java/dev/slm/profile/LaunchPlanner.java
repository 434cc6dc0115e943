package dev.slm.profile;

import dev.slm.engine.ModelOptions;
import dev.slm.gguf.GgmlType;
import dev.slm.gguf.GgufFile;
import dev.slm.hardware.MachineFacts;
import java.util.function.Function;

/**
 * Turns a model header and what the user asked for into {@link ModelOptions}: the hardware profile's
 * defaults (threads, batch, flash attention, KV cache, mmap, native library) under the user's flags,
 * and a context size and GPU layers the machine can hold.
 */
public final class LaunchPlanner {
    private final MachineFacts facts;
    private final ProfileCatalog catalog;
    private final Function<String, String> env;

    public LaunchPlanner(MachineFacts facts, ProfileCatalog catalog, Function<String, String> env) {
        this.facts = facts;
        this.catalog = catalog;
        this.env = env;
    }

    /** This machine, the packaged and the user's profiles, the process's environment. */
    public static LaunchPlanner forThisMachine() {
        return new LaunchPlanner(MachineFacts.detect(), ProfileCatalog.load(System::getenv), System::getenv);
    }

    public MachineFacts facts() {
        return facts;
    }

    public ProfileCatalog catalog() {
        return catalog;
    }

    /** @throws IllegalArgumentException for an unknown profile name */
    public ProfileChoice choose(LaunchRequest request) {
        return new ProfileSelector(catalog, env).select(facts, request.profile());
    }

    /**
     * @param base seed, parallel slots, embeddings, native logs, the vision projector, LoRA adapters and chat template come from here
     * @throws dev.slm.SlmException when no profile can be used, or the model cannot fit
     */
    public LaunchPlan plan(GgufFile model, LaunchRequest request, ModelOptions base) {
        return plan(model, request, base, FitPlanner.MACHINE_MEMORY);
    }

    /**
     * As {@link #plan(GgufFile, LaunchRequest, ModelOptions)}, fitting the model into {@code memoryToFit}
     * bytes instead of the memory this machine has free ({@code slm serve}'s memory budget).
     *
     * @param memoryToFit bytes of system memory the model may take; {@link FitPlanner#MACHINE_MEMORY} = what is free now
     */
    public LaunchPlan plan(GgufFile model, LaunchRequest request, ModelOptions base, long memoryToFit) {
        ProfileChoice choice = choose(request);
        Profile profile = choice.require();
        Tuning t = profile.tuning();
        int batch = request.batchSize().orElse(t.batch());
        int ubatch = Math.min(t.ubatch(), batch);
        boolean flash = request.flashAttention().orElse(t.flashAttention());
        GgmlType kv = request.kvCacheType().orElse(t.kvCache());
        FitPlan fit = FitPlanner.plan(model, facts, t, new FitPlanner.Request(request.contextSize(), request.gpuLayers(),
                base.parallel(), ubatch, flash, kv, memoryToFit));
        ModelOptions options = new ModelOptions(fit.contextSize(),
                request.threads() > 0 ? request.threads() : t.threadsFor(facts.cpu()), batch, fit.gpuLayers(),
                base.seed(), base.parallel(), base.embeddings(), base.nativeLogs(), ubatch, flash,
                kv, t.mmap(), t.mlock(), choice.nativeLibraryDir().orElse(null), base.projector(),
                base.adapters(), base.chatTemplate(), base.draft(), request.threads() == 0 && t.adaptThreads());
        return new LaunchPlan(facts, choice, profile, fit, options);
    }
}
