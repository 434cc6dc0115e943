package dev.slm.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import dev.slm.gguf.GgmlType;
import dev.slm.gguf.GgufFile;
import dev.slm.hardware.MachineFacts;
import dev.slm.hardware.MemoryFacts;
import dev.slm.hardware.RecordedMachine;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Fit planning with the shapes of real models on recorded machines. */
class FitPlannerTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private static Tuning tuning(String profile) {
        return ProfileCatalog.packaged().stream().filter(p -> p.name().equals(profile)).findFirst().orElseThrow().tuning();
    }

    private static FitPlan plan(GgufFile model, String machine, Tuning t, int ctx, OptionalInt gpuLayers) {
        return FitPlanner.plan(model, RecordedMachine.facts(machine), t,
                new FitPlanner.Request(ctx, gpuLayers, 1, Math.min(t.ubatch(), t.batch()), t.flashAttention(), t.kvCache()));
    }

    private static FitPlan plan(GgufFile model, String machine, String profile) {
        return plan(model, machine, tuning(profile), 0, OptionalInt.empty());
    }

    @Test
    void theKvCacheIsWhatLlamaCppAllocates() {
        // llama.cpp logs "KV self size = 24.00 MiB" for Qwen2.5-0.5B at 2048 tokens and 128.00 MiB
        // for Llama-3.2-1B at 4096 (f16): context x layers x (K + V) x KV heads x head size x 2 bytes.
        FitPlan qwen = plan(ModelShapes.qwen25_05b(GgmlType.Q8_0), "pi5", "raspberry-pi");
        assertEquals(2048, qwen.contextSize(), "the Pi profile caps the context at 2048");
        assertEquals(24 * MIB, qwen.system().kvCache());
        FitPlan llama = plan(ModelShapes.llama32_1b(GgmlType.Q4_K), "x86-vm", "cpu-x86_64");
        assertEquals(4096, llama.contextSize(), "131072 trained, capped at 4096");
        assertEquals(128 * MIB, llama.system().kvCache());
        assertEquals(0, llama.gpuLayers());
        assertTrue(llama.checked());
        assertTrue(llama.warnings().isEmpty());
    }

    @Test
    void weightsAreTheTensorBytes() {
        GgufFile model = ModelShapes.qwen25_7b(GgmlType.Q4_K);
        FitPlan p = plan(model, "rk3588-service", "cpu-aarch64");
        assertEquals(model.tensorBytes(), p.system().weights());
        // 7.6 billion weights at 4.5 bits: about 4 GiB.
        assertTrue(p.system().weights() > 3.9 * GIB && p.system().weights() < 4.2 * GIB, dev.slm.hardware.MemorySize.gib(p.system().weights()));
    }

    @Test
    void aSevenBillionModelFitsOnAPi5ButIsRefusedOnAPi4WithTheNumbers() {
        FitPlan pi5 = plan(ModelShapes.qwen25_7b(GgmlType.Q4_K), "pi5", "raspberry-pi");
        assertEquals(2048, pi5.contextSize());
        assertTrue(pi5.system().total() <= pi5.systemBudget());
        SlmException e = assertThrows(SlmException.class,
                () -> plan(ModelShapes.qwen25_7b(GgmlType.Q4_K), "pi4", "raspberry-pi"));
        assertEquals("Qwen2.5-7B-Instruct needs 4.2 GiB (weights 4.0 GiB + KV cache 0.1 GiB for 2048 tokens + compute buffers"
                + " 0.1 GiB), 2.9 GiB available (3.3 GiB free, 0.4 GiB kept for the system); try a smaller model or a smaller"
                + " quantization (the weights alone take 4.0 GiB)", e.getMessage());
    }

    @Test
    void aContextTheUserAskedForThatCannotFitIsRefusedWithOneThatCan() {
        // 2 GiB container: 1.9 GiB free, 0.5 kept. Qwen2.5-0.5B at 32768 tokens needs a 384 MiB KV
        // cache and, without flash attention, 14 heads x 32768 x 512 attention scores.
        SlmException e = assertThrows(SlmException.class, () -> plan(ModelShapes.qwen25_05b(GgmlType.Q4_K),
                "container-cgroup2", tuning("cpu-x86_64"), 32_768, OptionalInt.empty()));
        assertTrue(e.getMessage().startsWith("Qwen2.5-0.5B-Instruct needs 1.5 GiB (weights 0.3 GiB + KV cache 0.4 GiB for 32768 tokens"
                + " + compute buffers 0.9 GiB)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("1.4 GiB available"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; try a smaller model or --ctx 16384"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        FitPlan smaller = plan(ModelShapes.qwen25_05b(GgmlType.Q4_K), "container-cgroup2", tuning("cpu-x86_64"), 16_384, OptionalInt.empty());
        assertEquals(16_384, smaller.contextSize());
    }

    @Test
    void anAutomaticContextIsLoweredUntilTheModelFitsAndTheUserIsTold() {
        Tuning wide = new Tuning(Tuning.ThreadPolicy.PHYSICAL_CORES, true, 512, 512, Tuning.GpuLayerPolicy.NONE, Tuning.GpuMemory.NONE,
                false, "f16", true, false, 32_768, 512, 0);
        FitPlan p = plan(ModelShapes.qwen25_05b(GgmlType.Q4_K), "container-cgroup2", wide, 0, OptionalInt.empty());
        assertEquals(16_384, p.contextSize());
        assertEquals(1, p.warnings().size());
        assertTrue(p.warnings().get(0).startsWith("context lowered from 32768 to 16384 tokens"), p.warnings().get(0));
    }

    @Test
    void aModelWhoseWeightsAloneDoNotFitIsRefusedWhateverTheContext() {
        SlmException e = assertThrows(SlmException.class,
                () -> plan(ModelShapes.llama32_3b(GgmlType.Q8_0), "container-cgroup1", "cpu-x86_64"));
        assertTrue(e.getMessage().startsWith("Llama-3.2-3B-Instruct needs "), e.getMessage());
        assertTrue(e.getMessage().contains("0.8 GiB available (1.3 GiB free, 0.5 GiB kept for the system)"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(the weights alone take 3.2 GiB)"), e.getMessage());
    }

    @Test
    void onAnRtx4090ASevenBillionModelGoesWhollyToTheGpu() {
        FitPlan p = plan(ModelShapes.qwen25_7b(GgmlType.Q4_K), "nvidia-rtx4090", "cuda");
        assertEquals(8192, p.contextSize(), "the cuda profile caps at 8192");
        assertEquals(-1, p.gpuLayers(), "every layer and the output head");
        assertEquals(ModelShapes.qwen25_7b(GgmlType.Q4_K).tensorBytes() - p.system().weights(), p.gpu().weights());
        assertTrue(p.system().weights() > 0, "token embeddings stay in system memory");
        assertEquals(0, p.system().kvCache());
        assertEquals(448 * MIB, p.gpu().kvCache(), "28 layers x 8192 x (128 + 128) x 4 KV heads x 2 bytes");
        assertTrue(p.gpu().total() <= p.gpuBudget());
        assertEquals(25238896640L - 512 * MIB, p.gpuBudget(), "free VRAM less the profile's reserve");
    }

    @Test
    void aModelLargerThanTheGpuIsSplitBetweenGpuAndCpu() {
        FitPlan p = plan(ModelShapes.qwen25_14b(GgmlType.Q4_K), "windows-rtx4060", "cuda");
        assertTrue(p.gpuLayers() > 0 && p.gpuLayers() < 48, "layers on the GPU: " + p.gpuLayers());
        assertTrue(p.gpu().total() <= p.gpuBudget());
        assertTrue(p.system().weights() > 0 && p.system().kvCache() > 0);
        assertTrue(p.notes().get(0).startsWith(p.gpuLayers() + " of 48 layers on the GPU"), p.notes().toString());
        int more = p.gpuLayers() + 1;
        assertThrows(SlmException.class, () -> plan(ModelShapes.qwen25_14b(GgmlType.Q4_K), "windows-rtx4060", tuning("cuda"),
                p.contextSize(), OptionalInt.of(more)), "one layer more would not fit at this context");
        FitPlan big = plan(ModelShapes.qwen25_14b(GgmlType.Q4_K), "nvidia-rtx4090", "cuda");
        assertEquals(-1, big.gpuLayers(), "a 24 GB card holds it all");
    }

    @Test
    void gpuLayersTheUserAskedForThatOverflowTheGpuAreRefusedWithACountThatFits() {
        SlmException e = assertThrows(SlmException.class, () -> plan(ModelShapes.qwen25_14b(GgmlType.Q4_K), "windows-rtx4060",
                tuning("cuda"), 0, OptionalInt.of(-1)));
        assertTrue(e.getMessage().startsWith("Qwen2.5-14B-Instruct: --gpu-layers -1 needs "), e.getMessage());
        assertTrue(e.getMessage().contains("of GPU memory"), e.getMessage());
        int suggested = Integer.parseInt(e.getMessage().replaceAll(".*try --gpu-layers (\\d+)$", "$1"));
        FitPlan p = plan(ModelShapes.qwen25_14b(GgmlType.Q4_K), "windows-rtx4060", tuning("cuda"), 0, OptionalInt.of(suggested));
        assertEquals(suggested, p.gpuLayers());
    }

    @Test
    void onAppleSiliconTheModelMustFitInFreeMemoryAndInMetalsWorkingSet() {
        FitPlan p = plan(ModelShapes.qwen25_7b(GgmlType.Q4_K), "apple-m2", "metal");
        assertEquals(-1, p.gpuLayers());
        assertEquals(0, p.gpu().total(), "unified memory is counted once, as system memory");
        MachineFacts m2 = RecordedMachine.facts("apple-m2");
        assertEquals(Math.min(m2.memory().available() - 1024 * MIB, m2.apple().orElseThrow().gpuWorkingSet()), p.systemBudget());
        SlmException e = assertThrows(SlmException.class, () -> plan(ModelShapes.qwen25_14b(GgmlType.Q4_K), "apple-m2", "metal"));
        assertTrue(e.getMessage().contains("Metal may use 10.7 GiB"), e.getMessage());
    }

    @Test
    void aJetsonPutsEveryLayerOnItsGpuWhenTheBoardsMemoryHoldsThem() {
        FitPlan p = plan(ModelShapes.llama32_3b(GgmlType.Q4_K), "jetson-orin-nano", "jetson");
        assertEquals(-1, p.gpuLayers());
        assertEquals(4096, p.contextSize());
        assertThrows(SlmException.class, () -> plan(ModelShapes.qwen25_14b(GgmlType.Q4_K), "jetson-orin-nano", "jetson"));
    }

    @Test
    void theVulkanProfilePutsEveryLayerOnTheGpuAndCountsTheModelAgainstSystemMemory() {
        // A Vulkan device's free memory is unknown before ggml opens it: all layers, checked against RAM.
        FitPlan p = plan(ModelShapes.qwen25_7b(GgmlType.Q4_K), "amd-gpu", "vulkan");
        assertEquals(-1, p.gpuLayers());
        assertEquals(0, p.gpuBudget());
        assertTrue(p.system().weights() > 3L << 30, "the 4 GiB of weights are counted: " + p.system());
    }

    @Test
    void unknownMemoryIsNotChecked() {
        MachineFacts vm = RecordedMachine.facts("x86-vm");
        MachineFacts blind = new MachineFacts(vm.os(), vm.arch(), vm.cpu(), MemoryFacts.unknown("test"), vm.nvidia(), vm.apple(),
                vm.board(), vm.gpus(), vm.notes());
        Tuning t = tuning("cpu-x86_64");
        FitPlan p = FitPlanner.plan(ModelShapes.qwen25_14b(GgmlType.F16), blind, t,
                new FitPlanner.Request(0, OptionalInt.empty(), 1, 512, false, GgmlType.F16));
        assertFalse(p.checked());
        assertEquals(4096, p.contextSize());
    }

    @Test
    void aContextBeyondTheTrainedOneIsLeftForModelOpenToRefuse() {
        FitPlan p = plan(ModelShapes.qwen25_05b(GgmlType.Q4_K), "x86-vm", tuning("cpu-x86_64"), 100_000, OptionalInt.empty());
        assertEquals(100_000, p.contextSize());
        assertFalse(p.checked());
    }

    @Test
    void parallelSlotsMultiplyTheKvCache() {
        Tuning t = tuning("cpu-x86_64");
        GgufFile model = ModelShapes.llama32_1b(GgmlType.Q4_K);
        FitPlan four = FitPlanner.plan(model, RecordedMachine.facts("x86-vm"), t,
                new FitPlanner.Request(4096, OptionalInt.empty(), 4, 512, false, GgmlType.F16));
        assertEquals(4 * 128 * MIB, four.system().kvCache());
    }
}
