package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.bench.BenchReport;
import dev.slm.bench.BenchSettings;
import dev.slm.bench.Benchmark;
import dev.slm.bench.EngineUnderTest;
import dev.slm.bench.Machine;
import dev.slm.bench.TransformerShape;
import dev.slm.bench.RunResult;
import dev.slm.bench.ServerLoad;
import dev.slm.bench.SvgChart;
import dev.slm.bench.SyntheticModel;
import dev.slm.engine.ModelOptions;
import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.gguf.GgmlType;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufReader;
import dev.slm.profile.LaunchPlanner;
import dev.slm.profile.LaunchRequest;
import dev.slm.profile.Profile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure a model's speed the way llama.cpp's llama-bench does: prompt processing (pp) and "
                + "generation (tg) tokens per second, time to first token, load time and peak memory.",
            "Each model, engine and thread count runs in a fresh process, with one warm-up run and -r recorded runs per test.",
            "--generate writes a model with random weights in the shape of a real one, to measure without downloading it.",
            "--serve URL measures a running OpenAI-compatible server instead (slm serve, llama-server, Ollama): concurrent "
                + "clients sending streamed chat requests; aggregate tokens/s and time to first token."})
final class BenchCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL", arity = "0..*", description = "Model names or paths of .gguf files.")
    List<String> models = new ArrayList<>();

    @Mixin
    ModelSourceOptions source;

    @Option(names = {"-p", "--n-prompt"}, paramLabel = "TOKENS", defaultValue = "512",
            description = "Prompt tokens of the pp test; 0 skips it (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = {"-n", "--n-gen"}, paramLabel = "TOKENS", defaultValue = "128",
            description = "Generated tokens of the tg test; 0 skips it (default: ${DEFAULT-VALUE}).")
    int generatedTokens;

    @Option(names = {"-r", "--repetitions"}, paramLabel = "N", defaultValue = "5",
            description = "Recorded runs of each test (default: ${DEFAULT-VALUE}).")
    int repetitions;

    @Option(names = {"-t", "--threads"}, paramLabel = "N[,N...]", split = ",",
            description = "Thread counts to measure, e.g. 1,2,4 (default: the profile's, e.g. one per physical core).")
    List<Integer> threads = new ArrayList<>();

    @Option(names = "--adapt-threads",
            description = "Let slm compute with fewer threads while other processes keep cores busy, as `slm run` "
                    + "and `slm serve` do when no thread count is given; the counts measured are then ceilings.")
    boolean adaptThreads;

    @Option(names = "--profile", paramLabel = "NAME",
            description = "Hardware profile to open the models with instead of the detected one (also SLM_PROFILE).")
    String profile;

    @Option(names = "--ctx", paramLabel = "TOKENS", defaultValue = "0",
            description = "slm's context size (default: the model's, at most the profile's cap, lowered to fit in memory).")
    int contextSize;

    @Option(names = "--batch", paramLabel = "TOKENS", defaultValue = "512",
            description = "Prompt-processing batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--engine", paramLabel = "NAME[,NAME]", split = ",", defaultValue = "slm",
            description = "slm (the engine API, as applications see it) and/or llama.cpp (llama-bench's loop on the "
                    + "same native library: the baseline) (default: ${DEFAULT-VALUE}).")
    List<String> engines = new ArrayList<>();

    @Option(names = "--json", description = "Print the results as JSON instead of a table.")
    boolean json;

    @Option(names = "--save", paramLabel = "FILE.json", description = "Also write the results as JSON to this file.")
    Path save;

    @Option(names = "--compare", paramLabel = "FILE.json",
            description = "Also print each result's ratio to a saved run: slm bench's JSON (--save) or llama-bench's (-o json).")
    Path compare;

    @Option(names = "--plot", paramLabel = "FILE.svg", description = "Also draw tokens/s against threads and model size as SVG.")
    Path plot;

    @Option(names = "--generate", paramLabel = "SHAPE",
            description = "Write a model with random weights in this shape instead of measuring: "
                    + "smollm2-135m, qwen2.5-0.5b or llama-3.2-1b.")
    String generateShape;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "Q8_0",
            description = "Weight type for --generate: F32, F16, Q8_0 or Q4_0 (default: ${DEFAULT-VALUE}).")
    String generateType;

    @Option(names = "--layers", paramLabel = "N",
            description = "For --generate: keep only the first N blocks, with the full shape's weights (a draft model for --draft).")
    Integer generateLayers;

    @Option(names = "--silent-from", paramLabel = "N",
            description = "For --generate: blocks from the N-th on add nothing (zero output projections) but cost as much; "
                    + "a --layers N cut of the model then predicts every token, the most --draft can gain.")
    Integer silentFrom;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where --generate writes the model.")
    Path output;

    @Option(names = "--serve", paramLabel = "URL",
            description = "Measure the OpenAI-compatible server at this URL (e.g. http://127.0.0.1:8080) with streamed "
                    + "chat requests of -n tokens; MODEL is the model name to send (default: the first it lists).")
    java.net.URI serveUrl;

    @Option(names = "--clients", paramLabel = "N[,N...]", split = ",", defaultValue = "1",
            description = "For --serve: concurrent clients, one load level each, e.g. 1,4 (default: ${DEFAULT-VALUE}).")
    List<Integer> clients = new ArrayList<>();

    @Option(names = "--requests", paramLabel = "N", defaultValue = "16",
            description = "For --serve: streamed requests each client sends, one after another (default: ${DEFAULT-VALUE}).")
    int requestsPerClient;

    @Option(names = "--api-key", paramLabel = "KEY", description = "For --serve: the server's API key (also SLM_API_KEY).")
    String apiKey;

    /** Set in the child processes: measure here instead of starting a process per configuration. */
    @Option(names = "--in-process", hidden = true)
    boolean inProcess;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (generateShape != null) {
            return generate();
        }
        if (serveUrl != null) {
            return measureServer();
        }
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no model given: pass the path of a .gguf file (or use --generate)");
        }
        BenchSettings settings = new BenchSettings(promptTokens, generatedTokens, repetitions, contextSize, batchSize);
        List<EngineUnderTest> engineList = engines.stream().map(EngineUnderTest::parse).distinct().toList();
        if (threads.stream().anyMatch(t -> t < 1)) {
            throw new IllegalArgumentException("thread counts must be positive, got " + threads);
        }
        LaunchPlanner planner = LaunchPlanner.forThisMachine();
        Profile chosen = planner.choose(request(0)).require();
        int defaultThreads = chosen.tuning().threadsFor(planner.facts().cpu());
        List<Integer> threadCounts = threads.isEmpty() ? List.of(defaultThreads) : threads;
        List<dev.slm.bench.Baseline> baseline = compare == null ? List.of() : dev.slm.bench.Baseline.read(compare);
        List<GgufFile> files = models.stream().map(m -> ModelReference.resolve(m, source)).map(GgufReader::read).toList();
        List<RunResult> results = new ArrayList<>();
        for (GgufFile model : files) {
            for (EngineUnderTest engine : engineList) {
                for (int t : threadCounts) {
                    results.add(inProcess ? measureHere(planner, model, engine, t, settings)
                            : inChildProcess(model.path(), engine, t));
                }
            }
        }
        BenchReport report = new BenchReport(software(), Machine.current(), settings, chosen.name(), defaultThreads,
                BenchReport.threadingEnvironment(), results);
        System.out.print(json ? report.toJson() + "\n" : report.toTable());
        if (compare != null && !json) {
            System.out.print(dev.slm.bench.Baseline.ratioTable(results, baseline));
        }
        System.out.flush();
        if (save != null) {
            report.save(save);
            System.err.println("results written to " + save);
        }
        if (plot != null) {
            SvgChart.write(report, plot);
            System.err.println("plot written to " + plot);
        }
        return ExitCodes.OK;
    }

    /** Opens the model as `slm run` would on this machine (profile, fit), with the bench's settings on top. */
    private RunResult measureHere(LaunchPlanner planner, GgufFile model, EngineUnderTest engine, int threadCount, BenchSettings settings) {
        ModelOptions options = planner.plan(model, request(threadCount),
                ModelOptions.defaults().withNativeLogs(Verbosity.isVerbose())).options().withAdaptThreads(adaptThreads);
        return Benchmark.run(model, engine, options, settings);
    }

    private LaunchRequest request(int threadCount) {
        return new LaunchRequest(Optional.ofNullable(profile), contextSize, threadCount, OptionalInt.of(batchSize),
                OptionalInt.empty());
    }

    private int measureServer() {
        if (models.size() > 1) {
            throw new IllegalArgumentException("--serve measures one model at a time, got " + models.size());
        }
        String key = apiKey != null ? apiKey : System.getenv().getOrDefault("SLM_API_KEY", "");
        List<ServerLoad.Result> results = new ArrayList<>();
        for (int n : clients) {
            ServerLoad.Settings settings = new ServerLoad.Settings(serveUrl, models.isEmpty() ? "" : models.get(0), key, n,
                    requestsPerClient, generatedTokens, java.time.Duration.ofMinutes(10));
            System.err.println("slm bench: " + serveUrl + ", " + n + (n == 1 ? " client" : " clients") + " x "
                    + requestsPerClient + " requests of " + generatedTokens + " tokens");
            results.add(new ServerLoad(settings).run());
        }
        if (json) {
            System.out.println(ServerLoad.toJson(serveUrl, results));
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"model", "clients", "requests", "tokens", "wall s", "tok/s (all)", "tok/s (stream)",
                "TTFT p50 ms", "TTFT p95 ms"});
            for (ServerLoad.Result r : results) {
                rows.add(new String[] {r.model(), String.valueOf(r.clients()), String.valueOf(r.requests()),
                    String.valueOf(r.completionTokens()), String.format("%.1f", r.wallSeconds()),
                    String.format("%.1f", r.aggregateTokensPerSecond()), String.format("%.1f", r.streamTokensPerSecond()),
                    String.format("%.0f", r.timeToFirstTokenMedianMillis()), String.format("%.0f", r.timeToFirstTokenP95Millis())});
            }
            Table.print(rows);
        }
        if (save != null) {
            ServerLoad.save(save, serveUrl, results);
            System.err.println("results written to " + save);
        }
        return ExitCodes.OK;
    }

    private int generate() {
        if (output == null) {
            throw new IllegalArgumentException("--generate needs --output FILE.gguf");
        }
        TransformerShape shape = TransformerShape.named(generateShape);
        if (generateLayers != null) {
            shape = shape.withLayers(generateLayers);
        }
        GgmlType type = SyntheticModel.type(generateType);
        SyntheticModel.write(shape, type, output, 42, silentFrom == null ? shape.layers() : silentFrom);
        System.err.println("wrote " + output + ": random weights in the shape of " + shape.name() + " ("
                + shape.parameterCount() + " parameters, " + type
                + (silentFrom == null ? "" : ", blocks from " + silentFrom + " on silent") + ")");
        return ExitCodes.OK;
    }

    /** Runs one configuration as `slm bench --in-process --json` in a new JVM and reads its result. */
    private RunResult inChildProcess(Path model, EngineUnderTest engine, int threadCount) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(List.of("bench", model.toString(), "--in-process", "--json",
                "-p", String.valueOf(promptTokens), "-n", String.valueOf(generatedTokens),
                "-r", String.valueOf(repetitions), "-t", String.valueOf(threadCount), "--ctx", String.valueOf(contextSize),
                "--batch", String.valueOf(batchSize), "--engine", engine.label()));
        if (profile != null) {
            command.addAll(List.of("--profile", profile));
        }
        if (adaptThreads) {
            command.add("--adapt-threads");
        }
        if (Verbosity.isVerbose()) {
            command.add("-v");
        }
        System.err.println("slm bench: " + model.getFileName() + ", " + engine.label() + ", " + threadCount
                + (threadCount == 1 ? " thread" : " threads"));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        child.getOutputStream().close();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(child.getInputStream()));
        int code = child.waitFor();
        if (code != 0) {
            throw new SlmException("the benchmark of " + model.getFileName() + " with " + engine.label() + " and "
                    + threadCount + " threads failed (exit code " + code + "; its error is above)");
        }
        List<RunResult> results = BenchReport.fromJson(stdout.join()).results();
        if (results.size() != 1) {
            throw new SlmException("the benchmark process reported " + results.size() + " results instead of one");
        }
        return results.get(0);
    }

    /**
     * This JVM's command line up to and including the main class, so that a child runs with the same
     * runtime, class path and JVM options (the launcher's, or a test's).
     */
    private static List<String> javaCommand() {
        ProcessHandle.Info info = ProcessHandle.current().info();
        Optional<String> java = info.command();
        Optional<String[]> arguments = info.arguments();
        if (java.isPresent() && arguments.isPresent()) {
            List<String> args = List.of(arguments.get());
            int main = args.indexOf(Main.class.getName());
            if (main >= 0) {
                List<String> command = new ArrayList<>();
                command.add(java.get());
                command.addAll(args.subList(0, main + 1));
                return command;
            }
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName());
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SlmException("cannot read the benchmark process's output: " + e.getMessage());
        }
    }

    private static String software() {
        return "slm " + VersionInfo.slmVersion() + ", " + NativeBuild.current().describe();
    }
}
