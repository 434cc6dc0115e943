package dev.slm.profile;

import static dev.slm.hardware.MemorySize.gib;

import dev.slm.SlmException;
import dev.slm.engine.ModelOptions;
import dev.slm.gguf.GgmlType;
import dev.slm.gguf.GgufFile;
import dev.slm.hardware.MachineFacts;
import dev.slm.hardware.NvidiaGpu;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Chooses the context size and the GPU layers so that a model fits in this machine's memory, from the
 * GGUF header alone, or refuses with the numbers.
 *
 * <p>The estimate: the weights (tensor bytes; layers on a dedicated GPU count there), the KV cache
 * (context x layers x (key + value length) x KV heads x the cache type's size), and the compute
 * buffers. llama.cpp reuses one buffer for the graph's largest intermediate result at a time, which
 * is the logits (vocabulary x ubatch) or, without flash attention, the attention scores
 * (heads x context x ubatch), in 4-byte floats, plus the hidden states and 32 MiB of smaller buffers.
 * Checked against llama.cpp's own log on the fixture model (5 layers, 8 heads of 8 values): at 2048
 * tokens and ubatch 512 it allocates 36.5 MiB of compute buffer without flash attention (the main
 * term here: 32.5 MiB), 6.5 MiB with it (1.5), 2.5 MiB at ubatch 32 (2.0); its KV cache, 1.25 MiB,
 * is exactly the estimate. The 32 MiB of smaller buffers covers the differences.
 */
public final class FitPlanner {
    static final int MIN_CONTEXT = 512;
    private static final long MIB = 1L << 20;
    private static final long SMALL_BUFFERS = 32 * MIB;

    private FitPlanner() {
    }

    /**
     * What the command line or the caller asked for; the rest comes from the profile.
     *
     * @param contextSize  0 = the model's trained context, capped by the profile, lowered until it fits
     * @param gpuLayers    empty = the profile's policy; -1 = all
     * @param memoryToFit  bytes of system memory the model may take (a server's memory budget);
     *                     {@link #MACHINE_MEMORY} = what the machine has free, less the profile's reserve
     */
    public record Request(int contextSize, OptionalInt gpuLayers, int parallel, int ubatch, boolean flashAttention,
                          GgmlType kvCacheType, long memoryToFit) {

        public Request(int contextSize, OptionalInt gpuLayers, int parallel, int ubatch, boolean flashAttention,
                       GgmlType kvCacheType) {
            this(contextSize, gpuLayers, parallel, ubatch, flashAttention, kvCacheType, MACHINE_MEMORY);
        }
    }

    /** Fit into the memory the machine has free (less the profile's reserve). */
    public static final long MACHINE_MEMORY = -1;

    private record Placement(int offloaded, MemoryEstimate system, MemoryEstimate gpu) {
    }

    /** @throws SlmException when the model cannot fit, naming what it needs and what there is. */
    public static FitPlan plan(GgufFile model, MachineFacts facts, Tuning tuning, Request request) {
        return new Planning(ModelFootprint.of(model), facts, tuning, request).run();
    }

    private static final class Planning {
        private final ModelFootprint shape;
        private final MachineFacts facts;
        private final Tuning tuning;
        private final Request request;
        private final Tuning.GpuMemory pool;
        private final long systemFree;
        private final long systemBudget;
        private final long gpuBudget;

        Planning(ModelFootprint shape, MachineFacts facts, Tuning tuning, Request request) {
            this.shape = shape;
            this.facts = facts;
            this.tuning = tuning;
            this.request = request;
            boolean cpuOnly = tuning.gpuMemory() == Tuning.GpuMemory.NONE || request.gpuLayers().orElse(-1) == 0
                    || (tuning.gpuLayers() == Tuning.GpuLayerPolicy.NONE && request.gpuLayers().isEmpty());
            this.pool = cpuOnly ? Tuning.GpuMemory.NONE : tuning.gpuMemory();
            this.systemFree = facts.memory().known() ? facts.memory().available() : -1;
            long system = request.memoryToFit() != MACHINE_MEMORY ? request.memoryToFit()
                    : systemFree < 0 ? -1 : Math.max(0, systemFree - tuning.memoryReserveMiB() * MIB);
            if (pool == Tuning.GpuMemory.UNIFIED && system >= 0 && facts.apple().isPresent()) {
                system = Math.min(system, facts.apple().get().gpuWorkingSet());
            }
            this.systemBudget = system;
            long gpu = 0;
            if (pool == Tuning.GpuMemory.DEDICATED) {
                for (NvidiaGpu g : facts.nvidia().discrete()) {
                    gpu += Math.max(0, g.memoryFreeOrTotal() - tuning.gpuReserveMiB() * MIB);
                }
            }
            this.gpuBudget = gpu;
        }

        FitPlan run() {
            int L = shape.blocks();
            if (request.contextSize() > shape.trainedContext()) {
                // Model.open refuses this context with its own message; nothing to plan.
                Placement p = place(request.contextSize());
                return plan(request.contextSize(), p, false, List.of(), List.of());
            }
            int desired = request.contextSize() > 0 ? request.contextSize()
                    : ModelOptions.defaultContextSize(java.util.Optional.of(shape.trainedContext()), tuning.contextCap());
            List<Integer> contexts = request.contextSize() > 0 ? List.of(desired) : halvings(desired);
            for (int ctx : contexts) {
                Placement p = place(ctx);
                if (fits(p)) {
                    List<String> warnings = new ArrayList<>();
                    List<String> notes = new ArrayList<>();
                    if (ctx < desired) {
                        warnings.add("context lowered from " + desired + " to " + ctx + " tokens so that " + shape.name()
                                + " fits in the " + gib(systemBudget) + " of memory available (--ctx sets it)");
                    }
                    if (pool == Tuning.GpuMemory.DEDICATED && facts.nvidia().discrete().isEmpty()) {
                        notes.add("no NVIDIA GPU found: every layer runs on the CPU");
                    } else if (pool == Tuning.GpuMemory.DEDICATED && p.offloaded() <= L && request.gpuLayers().isEmpty()) {
                        notes.add(p.offloaded() + " of " + L + " layers on the GPU (" + gib(gpuBudget)
                                + " free for the model); the rest run on the CPU");
                    }
                    return plan(ctx, p, systemBudget >= 0, warnings, notes);
                }
            }
            throw new SlmException(refusal(desired, place(desired)));
        }

        private FitPlan plan(int ctx, Placement p, boolean checked, List<String> warnings, List<String> notes) {
            int gpuLayers = pool != Tuning.GpuMemory.DEDICATED && request.gpuLayers().isPresent() ? request.gpuLayers().getAsInt()
                    : pool == Tuning.GpuMemory.NONE ? 0
                    : p.offloaded() > shape.blocks() ? -1 : p.offloaded();
            return new FitPlan(ctx, gpuLayers, p.system(), p.gpu(), systemBudget, gpuBudget, checked, warnings, notes);
        }

        private boolean fits(Placement p) {
            return (systemBudget < 0 || p.system().total() <= systemBudget) && p.gpu().total() <= gpuBudget;
        }

        /** Where the weights, cache and buffers go at this context. Offloaded = blocks.length + 1 means all, output head too. */
        private Placement place(int ctx) {
            int L = shape.blocks();
            long kvLayer = kvPerLayer(ctx);
            long compute = compute(ctx);
            MemoryEstimate everything = new MemoryEstimate(shape.weights(), kvLayer * L, compute);
            if (pool == Tuning.GpuMemory.NONE || pool == Tuning.GpuMemory.UNIFIED || pool == Tuning.GpuMemory.UNMEASURED) {
                return new Placement(L + 1, everything, MemoryEstimate.NONE);
            }
            if (request.gpuLayers().isPresent()) {
                int asked = request.gpuLayers().getAsInt();
                return onGpu(asked == -1 || asked > L ? L + 1 : asked, kvLayer, compute);
            }
            if (tuning.gpuLayers() == Tuning.GpuLayerPolicy.ALL) {
                return onGpu(L + 1, kvLayer, compute);
            }
            for (int k = L + 1; k > 0; k--) {
                Placement p = onGpu(k, kvLayer, compute);
                if (p.gpu().total() <= gpuBudget) {
                    return p;
                }
            }
            return onGpu(0, kvLayer, compute);
        }

        private Placement onGpu(int k, long kvLayer, long compute) {
            int L = shape.blocks();
            if (k == 0) {
                return new Placement(0, new MemoryEstimate(shape.weights(), kvLayer * L, compute), MemoryEstimate.NONE);
            }
            int layers = Math.min(k, L);
            long gpuWeights = shape.lastLayers(layers) + (k > L ? shape.outputBytes() : 0);
            MemoryEstimate gpu = new MemoryEstimate(gpuWeights, kvLayer * layers, compute);
            // With every layer on the GPU the CPU only stages inputs: the hidden states of one ubatch.
            long hostCompute = k > L ? 4L * request.ubatch() * 4 * shape.embedding() + SMALL_BUFFERS : compute;
            MemoryEstimate system = new MemoryEstimate(shape.weights() - gpuWeights, kvLayer * (L - layers), hostCompute);
            return new Placement(k, system, gpu);
        }

        private long kvPerLayer(int ctx) {
            long cells = (long) ctx * request.parallel();
            return request.kvCacheType().bytesFor(cells * shape.kvWidth());
        }

        private long compute(int ctx) {
            long cells = (long) ctx * request.parallel();
            long widest = Math.max(shape.vocabulary(), request.flashAttention() ? 0 : shape.heads() * cells);
            return 4L * request.ubatch() * (widest + 4 * shape.embedding()) + SMALL_BUFFERS;
        }

        private String refusal(int ctx, Placement p) {
            String name = shape.name();
            if (p.gpu().total() > gpuBudget) {
                int fitting = 0;
                for (int k = shape.blocks(); k > 0; k--) {
                    if (onGpu(k, kvPerLayer(ctx), compute(ctx)).gpu().total() <= gpuBudget) {
                        fitting = k;
                        break;
                    }
                }
                return name + ": --gpu-layers " + request.gpuLayers().orElse(-1) + " needs " + gib(p.gpu().total())
                        + " of GPU memory (" + parts(p.gpu(), ctx) + "), " + gib(gpuBudget) + " free for it; try --gpu-layers " + fitting;
            }
            String where = pool == Tuning.GpuMemory.DEDICATED && p.offloaded() > 0
                    ? " of system memory with " + Math.min(p.offloaded(), shape.blocks()) + " of " + shape.blocks() + " layers on the GPU"
                    : "";
            String budget = gib(systemBudget) + " available (" + gib(systemFree) + " free, " + gib(tuning.memoryReserveMiB() * MIB)
                    + " kept for the system"
                    + (pool == Tuning.GpuMemory.UNIFIED && facts.apple().isPresent()
                    ? "; Metal may use " + gib(facts.apple().get().gpuWorkingSet()) : "") + ")";
            return name + " needs " + gib(p.system().total()) + where + " (" + parts(p.system(), ctx) + "), " + budget
                    + "; try " + smallerContext(ctx).map(c -> "a smaller model or --ctx " + c)
                    .orElse("a smaller model or a smaller quantization (the weights alone take " + gib(shape.weights()) + ")");
        }

        /** The largest halving of {@code ctx} that would fit, when the user asked for {@code ctx}. */
        private Optional<Integer> smallerContext(int ctx) {
            if (request.contextSize() == 0) {
                return Optional.empty();
            }
            for (int c : halvings(ctx)) {
                if (c < ctx && fits(place(c))) {
                    return Optional.of(c);
                }
            }
            return Optional.empty();
        }

        private static String parts(MemoryEstimate e, int ctx) {
            return "weights " + gib(e.weights()) + " + KV cache " + gib(e.kvCache()) + " for " + ctx + " tokens + compute buffers "
                    + gib(e.compute());
        }
    }

    /** {@code from}, then halved down to {@link #MIN_CONTEXT}. */
    static List<Integer> halvings(int from) {
        List<Integer> result = new ArrayList<>(List.of(from));
        for (int c = from / 2; c >= MIN_CONTEXT; c /= 2) {
            result.add(c);
        }
        return result;
    }
}
