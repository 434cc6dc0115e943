package dev.slm.profile;

import static dev.slm.hardware.MemorySize.readable;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A launch plan in words, one labelled line per decision: what `slm profile MODEL` prints under the
 * model, what `slm serve --check-config` prints per model, and what the server logs when it loads one.
 */
public final class LaunchPlanText {
    private LaunchPlanText() {
    }

    /** One decision: {@code label} (e.g. "context") and what was decided. */
    public record Line(String label, String value) {
    }

    public static List<Line> lines(LaunchPlan p) {
        FitPlan fit = p.fit();
        List<Line> lines = new ArrayList<>();
        lines.add(new Line("profile", p.profile().name()));
        lines.add(new Line("context", fit.contextSize() + " tokens"));
        lines.add(new Line("gpu layers", fit.gpuLayers() == -1 ? "all" : String.valueOf(fit.gpuLayers())));
        lines.add(new Line("threads", p.options().threads()
                + (p.options().adaptThreads() ? ", fewer while other processes keep cores busy" : "")));
        lines.add(new Line("kv cache", p.options().kvCacheType().name().toLowerCase(Locale.ROOT)
                + ", flash attention " + (p.options().flashAttention() ? "on" : "auto")));
        lines.add(new Line("memory", fit.checked() ? "needs " + readable(fit.system().total()) + " (" + parts(fit.system()) + ") of "
                + readable(fit.systemBudget()) + " available" : "not checked: memory unknown"));
        if (fit.gpu().total() > 0) {
            lines.add(new Line("gpu memory", "needs " + readable(fit.gpu().total()) + " (" + parts(fit.gpu()) + ") of "
                    + readable(fit.gpuBudget()) + " free"));
        }
        fit.warnings().forEach(w -> lines.add(new Line("note", w)));
        fit.notes().forEach(n -> lines.add(new Line("note", n)));
        return lines;
    }

    /** The plan on one line: {@code profile cpu-x86_64, context 2048 tokens, gpu layers 0, ...}. */
    public static String oneLine(LaunchPlan p) {
        return String.join(", ", lines(p).stream().map(l -> l.label() + " " + l.value()).toList());
    }

    private static String parts(MemoryEstimate e) {
        return "weights " + readable(e.weights()) + " + KV cache " + readable(e.kvCache()) + " + compute " + readable(e.compute());
    }
}
