package dev.slm.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.slm.SlmException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything one {@code slm bench} invocation measured, with what is needed to compare it: the
 * software, the machine, the settings and the environment variables that change llama.cpp's
 * threading.
 *
 * @param software        slm, llama.cpp and binding versions
 * @param profile         the hardware profile the models were opened with (see {@code slm profile})
 * @param defaultThreads  the profile's thread count on this machine, used when no thread count is given
 * @param environment     threading variables as they were set (absent = unset)
 */
public record BenchReport(String software, Machine machine, BenchSettings settings, String profile, int defaultThreads,
                          Map<String, String> environment, List<RunResult> results) {

    /** Variables read by libgomp (llama.cpp's OpenMP runtime) when the native library loads. */
    public static final List<String> THREADING_VARIABLES = List.of("OMP_WAIT_POLICY", "GOMP_SPINCOUNT",
            "OMP_PROC_BIND", "OMP_PLACES", "OMP_NUM_THREADS");

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public BenchReport {
        environment = Map.copyOf(environment);
        results = List.copyOf(results);
    }

    /** The threading variables of this process's environment. */
    public static Map<String, String> threadingEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : THREADING_VARIABLES) {
            String value = System.getenv(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        return env;
    }

    public BenchReport withResults(List<RunResult> more) {
        List<RunResult> all = new ArrayList<>(results);
        all.addAll(more);
        return new BenchReport(software, machine, settings, profile, defaultThreads, environment, all);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON", e);
        }
    }

    /** Writes {@link #toJson()} to {@code file}, whole or not at all. */
    public void save(Path file) {
        TextFile.write(file, toJson() + "\n");
    }

    public static BenchReport fromJson(String json) {
        try {
            return JSON.readValue(json, BenchReport.class);
        } catch (JsonProcessingException e) {
            throw new SlmException("unreadable benchmark result: " + e.getOriginalMessage());
        }
    }

    /** A Markdown table in the manner of llama-bench's, with the context above it. */
    public String toTable() {
        StringBuilder out = new StringBuilder();
        out.append("machine: ").append(machine.cpu()).append(", ").append(machine.logicalCpus()).append(" logical CPUs, ")
                .append(machine.memoryBytes() < 0 ? "?" : format("%.1f GiB", machine.memoryBytes() / (double) (1L << 30)))
                .append(" memory, load average ").append(machine.loadAverage() < 0 ? "?" : format("%.2f", machine.loadAverage()))
                .append('\n');
        out.append("software: ").append(software).append('\n');
        out.append("settings: -p ").append(settings.promptTokens()).append(" -n ").append(settings.generatedTokens())
                .append(" -r ").append(settings.repetitions()).append(", context ")
                .append(settings.contextSize() == 0 ? "the profile's fit" : settings.contextSize())
                .append(", batch ").append(settings.batchSize()).append(", profile ").append(profile)
                .append(", default threads ").append(defaultThreads)
                .append('\n');
        results.stream().map(RunResult::threadWaiting).distinct()
                .forEach(w -> out.append("llama.cpp threads wait with: ").append(w).append('\n'));
        out.append('\n');
        out.append("| model | size | params | engine | threads | test | t/s (median) | stddev | min | max | ms/token | ttft ms | load ms | peak RSS |\n");
        out.append("| ----- | ---: | -----: | ------ | ------: | ---- | -----------: | -----: | --: | --: | -------: | ------: | ------: | -------: |\n");
        for (RunResult r : results) {
            for (TestResult t : new TestResult[] {r.prompt(), r.generation()}) {
                if (t == null) {
                    continue;
                }
                Summary rate = t.tokensPerSecond();
                out.append("| ").append(String.join(" | ", r.model().file() + " " + r.model().quantization(),
                        format("%.1f MiB", mib(r.model().sizeBytes())), format("%.2f M", r.model().parameters() / 1e6),
                        r.engine().label(), String.valueOf(r.threads()), t.name(),
                        format("%.2f", rate.median()), format("%.2f", rate.stddev()), format("%.2f", rate.min()),
                        format("%.2f", rate.max()), format("%.3f", t.millisPerToken()),
                        t.timeToFirstTokenMillis() == null ? "" : format("%.1f", t.timeToFirstTokenMillis().median()),
                        format("%.0f", r.loadMillis()), r.peakRssBytes() < 0 ? "?" : format("%.1f MiB", mib(r.peakRssBytes()))))
                        .append(" |\n");
            }
        }
        return out.toString();
    }

    private static double mib(long bytes) {
        return bytes / (double) (1L << 20);
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
