package dev.slm.cli;

import static dev.slm.hardware.MemorySize.readable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.gguf.GgufFile;
import dev.slm.hardware.AppleChip;
import dev.slm.hardware.Board;
import dev.slm.hardware.CpuCluster;
import dev.slm.hardware.CpuFacts;
import dev.slm.hardware.MachineFacts;
import dev.slm.hardware.MemoryFacts;
import dev.slm.hardware.NvidiaGpu;
import dev.slm.hardware.NvidiaReport;
import dev.slm.profile.FitPlan;
import dev.slm.profile.LaunchPlan;
import dev.slm.profile.LaunchPlanText;
import dev.slm.profile.MemoryEstimate;
import dev.slm.profile.Profile;
import dev.slm.profile.ProfileCatalog;
import dev.slm.profile.ProfileChoice;
import dev.slm.profile.Tuning;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What `slm profile` prints: the machine, the chosen profile and why, the others, and a model's plan. */
record ProfileReport(MachineFacts facts, ProfileCatalog catalog, ProfileChoice choice, Optional<GgufFile> model,
                     Optional<LaunchPlan> plan, Optional<String> problem) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    String text() {
        StringBuilder out = new StringBuilder();
        CpuFacts cpu = facts.cpu();
        MemoryFacts mem = facts.memory();
        out.append("Machine\n");
        line(out, "system", facts.os() + " " + facts.arch());
        line(out, "cpu", cpu.model() + ": " + cpu.physical() + " cores, " + cpu.logical() + " threads"
                + (cpu.featuresKnown() ? "; " + String.join(" ", cpu.features()) : "; features unknown"));
        if (cpu.bigLittle()) {
            line(out, "core kinds", String.join(", ", cpu.clusters().stream().map(ProfileReport::cluster).toList()));
        }
        cpu.cpuQuota().ifPresent(q -> line(out, "cpu quota", String.format(Locale.ROOT, "%.2f CPUs (cgroup)", q)));
        line(out, "memory", mem.known() ? readable(mem.total()) + " total, " + readable(mem.available()) + " available (" + mem.source() + ")"
                : "unknown (" + mem.source() + ")");
        line(out, "nvidia", nvidia(facts.nvidia()));
        facts.apple().ifPresent(a -> line(out, "apple silicon", a.name() + ": " + a.performanceCores() + " performance + "
                + a.efficiencyCores() + " efficiency cores, Metal may use " + readable(a.gpuWorkingSet())));
        facts.board().ifPresent(b -> line(out, "board", b.model() + (b.compatible().isEmpty() ? "" : " (" + String.join(", ", b.compatible()) + ")")));
        facts.notes().forEach(n -> line(out, "note", n));

        out.append('\n');
        if (choice.profile().isPresent()) {
            Profile p = choice.profile().get();
            Tuning t = p.tuning();
            out.append("Profile ").append(p.name()).append(choice.forced() ? " (named)" : " (detected)").append(": ")
                    .append(p.description()).append('\n');
            line(out, "why", choice.reason());
            line(out, "library", choice.library());
            choice.fallback().ifPresent(f -> line(out, "note", f));
            line(out, "threads", t.threadsFor(cpu) + " (" + t.threads().name().toLowerCase(Locale.ROOT).replace('_', '-') + ")");
            line(out, "batch", t.batch() + ", ubatch " + t.ubatch());
            line(out, "gpu layers", lower(t.gpuLayers()) + switch (t.gpuMemory()) {
                case NONE -> "";
                case UNMEASURED -> " (the GPU's free memory is not measured: --gpu-layers N for a model larger than it)";
                default -> " (" + lower(t.gpuMemory()) + " memory)";
            });
            line(out, "attention", "flash attention " + (t.flashAttention() ? "on" : "auto") + ", KV cache " + t.kvCacheType());
            line(out, "memory use", "mmap " + (t.mmap() ? "on" : "off") + ", mlock " + (t.mlock() ? "on" : "off")
                    + ", " + t.memoryReserveMiB() + " MiB left to the system" + (t.gpuReserveMiB() > 0 ? ", " + t.gpuReserveMiB() + " MiB of GPU memory to the driver" : ""));
            line(out, "context cap", t.contextCap() + " tokens");
        } else {
            out.append("Profile: none usable\n");
            line(out, "why", choice.reason());
        }

        out.append("\nProfiles\n");
        for (ProfileChoice.Verdict v : choice.verdicts()) {
            out.append(String.format(Locale.ROOT, "  %-14s %-16s %s%n", v.profile(), lower(v.status()).replace('-', ' '), v.detail()));
        }

        model.ifPresent(m -> {
            out.append("\nModel ").append(m.path().getFileName()).append(": ").append(m.architecture()).append(", ")
                    .append(m.blockCount().map(b -> b + " layers, ").orElse("")).append(m.quantization()).append(", ")
                    .append(readable(m.tensorBytes())).append(" of weights\n");
            plan.ifPresent(p -> LaunchPlanText.lines(p).stream().filter(l -> !l.label().equals("profile"))
                    .forEach(l -> line(out, l.label(), l.value())));
            problem.ifPresent(e -> line(out, "refused", e));
        });
        return out.toString();
    }

    String json() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode machine = root.putObject("machine");
        machine.put("os", facts.os()).put("arch", facts.arch());
        CpuFacts cpu = facts.cpu();
        ObjectNode c = machine.putObject("cpu");
        c.put("model", cpu.model()).put("logical", cpu.logical()).put("physical", cpu.physical())
                .put("performanceCores", cpu.performanceCores()).put("featuresKnown", cpu.featuresKnown());
        cpu.features().stream().sorted().forEach(c.putArray("features")::add);
        ArrayNode clusters = c.putArray("clusters");
        for (CpuCluster k : cpu.clusters()) {
            clusters.addObject().put("name", k.name()).put("maxFreqKHz", k.maxFreqKHz()).put("cores", k.cores())
                    .put("logicalCpus", k.logicalCpus()).put("performance", k.performance());
        }
        cpu.cpuQuota().ifPresentOrElse(q -> c.put("cpuQuota", q), () -> c.putNull("cpuQuota"));
        MemoryFacts mem = facts.memory();
        ObjectNode m = machine.putObject("memory");
        m.put("totalBytes", mem.total()).put("availableBytes", mem.available()).put("source", mem.source());
        mem.cgroupLimit().ifPresentOrElse(l -> m.put("cgroupLimitBytes", l), () -> m.putNull("cgroupLimitBytes"));
        NvidiaReport nv = facts.nvidia();
        ObjectNode n = machine.putObject("nvidia");
        n.put("source", nv.source());
        putOptional(n, "driverVersion", nv.driverVersion());
        putOptional(n, "cudaVersion", nv.cudaVersion());
        putOptional(n, "problem", nv.problem());
        ArrayNode gpus = n.putArray("gpus");
        for (NvidiaGpu g : nv.gpus()) {
            gpus.addObject().put("index", g.index()).put("name", g.name()).put("memoryTotalBytes", g.memoryTotal())
                    .put("memoryFreeBytes", g.memoryFree()).put("integrated", g.integrated()).put("computeCapability", g.computeCapability());
        }
        Optional<AppleChip> apple = facts.apple();
        if (apple.isPresent()) {
            machine.putObject("appleSilicon").put("name", apple.get().name()).put("performanceCores", apple.get().performanceCores())
                    .put("efficiencyCores", apple.get().efficiencyCores()).put("gpuWorkingSetBytes", apple.get().gpuWorkingSet());
        } else {
            machine.putNull("appleSilicon");
        }
        Optional<Board> board = facts.board();
        if (board.isPresent()) {
            ObjectNode b = machine.putObject("board").put("model", board.get().model());
            board.get().compatible().forEach(b.putArray("compatible")::add);
        } else {
            machine.putNull("board");
        }
        facts.notes().forEach(machine.putArray("notes")::add);

        ObjectNode chosen = root.putObject("profile");
        chosen.put("usable", choice.profile().isPresent()).put("forced", choice.forced()).put("reason", choice.reason())
                .put("library", choice.library());
        putOptional(chosen, "name", choice.profile().map(Profile::name));
        putOptional(chosen, "nativeLibraryDir", choice.nativeLibraryDir().map(Object::toString));
        putOptional(chosen, "fallback", choice.fallback());
        choice.profile().ifPresent(p -> {
            Tuning t = p.tuning();
            chosen.put("threads", t.threadsFor(cpu));
            chosen.putObject("tuning").put("threads", lower(t.threads())).put("batch", t.batch()).put("ubatch", t.ubatch())
                    .put("gpuLayers", lower(t.gpuLayers())).put("gpuMemory", lower(t.gpuMemory()))
                    .put("flashAttention", t.flashAttention()).put("kvCacheType", t.kvCacheType()).put("mmap", t.mmap())
                    .put("mlock", t.mlock()).put("contextCap", t.contextCap()).put("memoryReserveMiB", t.memoryReserveMiB())
                    .put("gpuReserveMiB", t.gpuReserveMiB());
        });
        ArrayNode verdicts = root.putArray("profiles");
        for (ProfileChoice.Verdict v : choice.verdicts()) {
            verdicts.addObject().put("name", v.profile()).put("status", lower(v.status())).put("detail", v.detail());
        }
        if (model.isPresent()) {
            ObjectNode mo = root.putObject("model");
            mo.put("path", model.get().path().toString()).put("architecture", model.get().architecture())
                    .put("quantization", model.get().quantization()).put("weightBytes", model.get().tensorBytes());
            plan.ifPresent(p -> {
                FitPlan fit = p.fit();
                mo.put("contextSize", fit.contextSize()).put("gpuLayers", fit.gpuLayers()).put("threads", p.options().threads())
                        .put("batchSize", p.options().batchSize()).put("checked", fit.checked())
                        .put("systemBudgetBytes", fit.systemBudget()).put("gpuBudgetBytes", fit.gpuBudget());
                mo.set("system", JSON.valueToTree(fit.system()));
                mo.set("gpu", JSON.valueToTree(fit.gpu()));
                fit.warnings().forEach(mo.withArray("notes")::add);
                fit.notes().forEach(mo.withArray("notes")::add);
            });
            putOptional(mo, "refused", problem);
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putOptional(ObjectNode node, String field, Optional<String> value) {
        value.ifPresentOrElse(v -> node.put(field, v), () -> node.putNull(field));
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append(String.format(Locale.ROOT, "  %-14s %s%n", label, value));
    }

    private static String cluster(CpuCluster c) {
        return c.cores() + "x " + c.name() + (c.maxFreqKHz() > 0 ? String.format(Locale.ROOT, " @ %.2f GHz", c.maxFreqKHz() / 1e6) : "")
                + (c.performance() ? " (fast)" : "");
    }

    private static String nvidia(NvidiaReport nv) {
        if (nv.gpus().isEmpty()) {
            return "none" + nv.problem().map(p -> ": " + p).orElse("");
        }
        String versions = nv.driverVersion().map(d -> "driver " + d).orElse("") + nv.cudaVersion().map(v -> ", CUDA " + v).orElse("");
        return String.join("; ", nv.gpus().stream().map(g -> g.name() + " " + readable(g.memoryTotal())
                + (g.memoryFree() >= 0 ? " (" + readable(g.memoryFree()) + " free)" : "") + (g.integrated() ? ", integrated" : "")).toList())
                + " [" + nv.source() + (versions.isEmpty() ? "" : ": " + versions.replaceFirst("^, ", "")) + "]";
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
