package dev.slm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.SlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A saved run to compare against (`slm bench --compare FILE.json`): either slm bench's own JSON
 * (`--save`) or llama-bench's (`llama-bench -o json`), one entry per model file, engine and thread
 * count, with median tokens/s of its prompt and generation tests.
 *
 * @param engine "llama-bench" for llama-bench's file, else the engine label of the saved slm run
 */
public record Baseline(String modelFile, String engine, int threads, double promptTokensPerSecond,
                       double generationTokensPerSecond) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a baseline file; one line naming the file and what is wrong when it is neither format. */
    public static List<Baseline> read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SlmException(file + " is not JSON: " + e.getOriginalMessage().replaceAll("\\s+", " "));
        } catch (IOException e) {
            throw new SlmException("cannot read " + file + " to compare against: " + e.getMessage());
        }
        List<Baseline> out = new ArrayList<>();
        if (root != null && root.isArray()) {
            // llama-bench: one object per test, the pp and tg tests of a model and thread count apart.
            for (JsonNode test : root) {
                String model = Path.of(test.path("model_filename").asText("")).getFileName().toString();
                int threads = test.path("n_threads").asInt(-1);
                double ts = test.path("avg_ts").asDouble(Double.NaN);
                boolean prompt = test.path("n_prompt").asInt(0) > 0;
                Baseline b = find(out, model, "llama-bench", threads)
                        .orElseGet(() -> new Baseline(model, "llama-bench", threads, Double.NaN, Double.NaN));
                out.remove(b);
                out.add(prompt ? new Baseline(model, b.engine, threads, ts, b.generationTokensPerSecond)
                        : new Baseline(model, b.engine, threads, b.promptTokensPerSecond, ts));
            }
        } else if (root != null && root.has("results")) {
            for (RunResult r : BenchReport.fromJson(root.toString()).results()) {
                out.add(new Baseline(r.model().file(), r.engine().label(), r.threads(),
                        r.prompt() == null ? Double.NaN : r.prompt().tokensPerSecond().median(),
                        r.generation() == null ? Double.NaN : r.generation().tokensPerSecond().median()));
            }
        } else {
            throw new SlmException(file + " is neither slm bench's JSON (--save) nor llama-bench's (-o json)");
        }
        if (out.stream().anyMatch(b -> b.modelFile.isEmpty() || b.threads < 1)) {
            throw new SlmException(file + " has an entry without a model file or thread count");
        }
        return out;
    }

    private static Optional<Baseline> find(List<Baseline> list, String model, String engine, int threads) {
        return list.stream().filter(b -> b.modelFile.equals(model) && b.engine.equals(engine) && b.threads == threads)
                .findFirst();
    }

    /**
     * Each current result over the baseline of the same model file and thread count (and engine,
     * when the baseline is an slm run): ratios of median tokens/s, above 1 when the current run is faster.
     */
    public static String ratioTable(List<RunResult> current, List<Baseline> baseline) {
        StringBuilder t = new StringBuilder("\n| model | engine | threads | against | pp ratio | tg ratio |\n"
                + "| --- | --- | ---: | --- | ---: | ---: |\n");
        int matched = 0;
        for (RunResult r : current) {
            Optional<Baseline> b = baseline.stream().filter(x -> x.modelFile.equals(r.model().file()) && x.threads == r.threads()
                    && (x.engine.equals("llama-bench") || x.engine.equals(r.engine().label()))).findFirst();
            if (b.isEmpty()) {
                continue;
            }
            matched++;
            t.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s |%n", r.model().file(), r.engine().label(),
                    r.threads(), b.get().engine, ratio(r.prompt(), b.get().promptTokensPerSecond),
                    ratio(r.generation(), b.get().generationTokensPerSecond)));
        }
        if (matched == 0) {
            return "\nno result matches the baseline (same model file name and thread count)\n";
        }
        return t.toString();
    }

    private static String ratio(TestResult test, double baseline) {
        return test == null || !(baseline > 0) ? "–"
                : String.format(Locale.ROOT, "%.2f", test.tokensPerSecond().median() / baseline);
    }
}
