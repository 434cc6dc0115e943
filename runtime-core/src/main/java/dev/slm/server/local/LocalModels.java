package dev.slm.server.local;

import dev.slm.SlmException;
import dev.slm.engine.ModelOptions;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufReader;
import dev.slm.profile.LaunchPlan;
import dev.slm.profile.LaunchPlanner;
import dev.slm.profile.LaunchRequest;
import dev.slm.server.backend.BackendException;
import dev.slm.server.backend.Backend;
import dev.slm.server.backend.LoadedModel;
import dev.slm.server.backend.ModelCard;
import dev.slm.server.backend.ModelRouter;
import dev.slm.server.config.ConfigException;
import dev.slm.server.config.ModelConfig;
import dev.slm.server.config.ServerConfig;
import dev.slm.server.metrics.ProcessMemory;
import dev.slm.server.metrics.ServerMetrics;
import dev.slm.server.runner.RunnerLaunch;
import dev.slm.server.runner.RunnerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured local models: routes model names to them, keeps their loaded total within the
 * memory budget (unloading idle models to make room, refusing with 503 when that is not enough),
 * and unloads models that stayed idle past their keep-alive.
 */
public final class LocalModels implements ModelRouter, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalModels.class);
    /** How often a preloaded model whose runner died or failed to load is tried again. */
    private static final Duration PRELOAD_RETRY = Duration.ofSeconds(10);
    /** How long a load waits for idle models that are busy being unloaded (or loaded) by someone else. */
    private static final Duration EVICTION_WAIT = Duration.ofSeconds(10);

    /** Models unloaded by `slm stop`: a preloaded one is not loaded again until a request asks for it. */
    private final java.util.Set<LocalModel> stopped = ConcurrentHashMap.newKeySet();
    private final ServerConfig config;
    private final RunnerLaunch launch;
    private final LaunchPlanner planner;
    private final ServerMetrics metrics;
    private final Map<String, LocalModel> models = new LinkedHashMap<>();
    private final ReentrantLock budgetLock = new ReentrantLock();
    private final Map<LocalModel, Long> reserved = new ConcurrentHashMap<>();
    private final Map<LocalModel, Long> lastPreloadAttempt = new ConcurrentHashMap<>();
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("slm-models-housekeeping").unstarted(r));
    private volatile boolean closing;

    /**
     * A model as planned from its header, before anything is loaded: the same launch plan as
     * {@code slm run} makes on this machine (profile, threads, context, GPU layers, KV cache), fitted
     * into the memory budget instead of the memory free now.
     */
    public record Plan(ModelConfig config, GgufFile header, LaunchPlan launch, LoadedModelMemory memory) {
        /** The options its runner opens the model with. */
        public ModelOptions options() {
            return launch.options();
        }
    }

    /**
     * Reads every model's header and plans it on this machine, each within the memory budget on its own.
     *
     * @throws ConfigException listing every model that cannot be served
     */
    public static List<Plan> plan(ServerConfig config) {
        return plan(config, LaunchPlanner.forThisMachine());
    }

    /** As {@link #plan(ServerConfig)}, on the machine {@code planner} knows. */
    public static List<Plan> plan(ServerConfig config, LaunchPlanner planner) {
        List<Plan> plans = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (ModelConfig m : config.models()) {
            try {
                plans.add(planOne(m, config, planner));
            } catch (PlanProblem e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return plans;
    }

    /** Why one model cannot be served as configured: one line, naming it. */
    private static final class PlanProblem extends RuntimeException {
        PlanProblem(String message) {
            super(message, null, false, false);
        }
    }

    private static Plan planOne(ModelConfig m, ServerConfig config, LaunchPlanner planner) {
        try {
            GgufFile header = GgufReader.read(m.path());
            long trained = ModelOptions.trainedContext(header.contextLength());
            if (m.launch().contextSize() > trained) {
                throw new PlanProblem("model '" + m.name() + "': context " + m.launch().contextSize() + " is larger than the model allows ("
                        + trained + "): set context to " + trained + " or less");
            }
            long besides = LoadedModelMemory.besidesTheModel(m.options());
            LaunchPlan launch;
            try {
                launch = planner.plan(header, m.launch(), m.options(), Math.max(0, config.memoryBudget() - besides));
            } catch (SlmException e) {
                throw new PlanProblem("model '" + m.name() + "' needs about more than memory_budget (" + LoadedModelMemory.mib(config.memoryBudget())
                        + ") leaves it after its runner (" + LoadedModelMemory.mib(besides) + "): " + e.getMessage()
                        + "; raise memory_budget, or lower its context or parallel");
            }
            return new Plan(m, header, launch, LoadedModelMemory.of(launch.fit().system(), m.options()));
        } catch (SlmException | IllegalArgumentException e) {
            throw new PlanProblem("model '" + m.name() + "': " + e.getMessage());
        }
    }

    /**
     * {@code p} planned again with a context of {@code tokens} (Ollama's {@code num_ctx}), by the same
     * planner and within the same budget as at start-up.
     *
     * @throws BackendException rejected, naming {@code options.num_ctx}, when that plan does not fit
     */
    Plan withContext(Plan p, int tokens) {
        ModelConfig m = p.config();
        LaunchRequest l = m.launch();
        ModelConfig wider = new ModelConfig(m.name(), m.path(), m.options(), new LaunchRequest(l.profile(), tokens, l.threads(),
                l.batchSize(), l.gpuLayers(), l.flashAttention(), l.kvCacheType()), m.keepAlive(), m.queue(), m.preload(),
                m.defaults(), m.aliases());
        try {
            return planOne(wider, config, planner);
        } catch (PlanProblem e) {
            throw BackendException.rejected("options.num_ctx", "options.num_ctx " + tokens + ": " + e.getMessage());
        }
    }

    public LocalModels(ServerConfig config, RunnerLaunch launch, ServerMetrics metrics) {
        this.config = config;
        this.launch = launch;
        this.metrics = metrics;
        this.planner = LaunchPlanner.forThisMachine();
        for (Plan p : plan(config, planner)) {
            models.put(p.config().name(), new LocalModel(p, this));
        }
        registerGauges();
        housekeeping.scheduleWithFixedDelay(this::housekeep, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public Backend route(String model) {
        LocalModel m = models.get(model);
        if (m == null) {
            m = byAlias(model);
        }
        if (m == null) {
            throw BackendException.missing(model);
        }
        return m;
    }

    /** The model an alias names ({@code aliases = ...} in its section), or null. */
    private LocalModel byAlias(String alias) {
        for (LocalModel m : models.values()) {
            if (m.config().aliases().contains(alias)) {
                return m;
            }
        }
        return null;
    }

    /** Each model, then each of its aliases as a model of its own (clients pick names from the list). */
    @Override
    public List<ModelCard> models() {
        List<ModelCard> cards = new java.util.ArrayList<>();
        for (LocalModel m : models.values()) {
            cards.add(new ModelCard(m.model(), created(m), "slm"));
            m.config().aliases().forEach(a -> cards.add(new ModelCard(a, created(m), "slm")));
        }
        return cards;
    }

    private static long created(LocalModel m) {
        try {
            return Files.getLastModifiedTime(m.config().path()).toMillis() / 1000;
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public List<LoadedModel> loaded() {
        return models.values().stream().filter(LocalModel::loaded).map(m -> new LoadedModel(m.model(),
                m.config().path().toString(), m.estimate().total(), m.options().gpuLayers(),
                m.options().contextSize(), m.activeSlots(), m.queued(),
                m.busy() ? 0 : TimeUnit.NANOSECONDS.toSeconds(m.idleNanos()),
                m.keepAlive().isNegative() ? -1 : m.keepAlive().toSeconds(), m.loraAdapters())).toList();
    }

    @Override
    public boolean unload(String model) {
        LocalModel m = models.get(model);
        if (m == null) {
            throw BackendException.missing(model);
        }
        boolean was = m.loaded();
        stopped.add(m);
        m.unload(BackendException.stopped("model_unloaded", "model '" + model + "' was stopped (slm stop)"));
        if (was) {
            log.info("model '{}' unloaded on request (slm stop)", model);
        }
        return was;
    }

    public List<LocalModel> all() {
        return List.copyOf(models.values());
    }

    ServerMetrics metrics() {
        return metrics;
    }

    /** Starts loading the models marked {@code preload}, in the background. */
    public void preload() {
        for (LocalModel m : models.values()) {
            if (m.config().preload()) {
                housekeeping.execute(() -> tryLoad(m));
            }
        }
    }

    private void tryLoad(LocalModel m) {
        if (closing) {
            return;
        }
        lastPreloadAttempt.put(m, System.nanoTime());
        try {
            m.ensureLoaded();
        } catch (BackendException e) {
            log.error("preloading model '{}' failed: {}", m.model(), e.getMessage());
        }
    }

    /** Every preloaded model is loaded. */
    public boolean ready() {
        return models.values().stream().filter(m -> m.config().preload() && !stopped.contains(m)).allMatch(LocalModel::loaded);
    }

    /** Why {@link #ready()} is false, one entry per model that is not. */
    public List<String> notReady() {
        return models.values().stream().filter(m -> m.config().preload() && !stopped.contains(m) && !m.loaded())
                .map(m -> "model '" + m.model() + "' is not loaded yet" + m.trouble().map(t -> " (" + t + ")").orElse(""))
                .toList();
    }

    /** Requests holding a slot now, in all models. */
    public int activeRequests() {
        return models.values().stream().mapToInt(LocalModel::activeSlots).sum();
    }

    /** Refuses new requests; queued and running ones go on (until {@link #abortAll}). */
    public void stopAdmitting() {
        closing = true;
        models.values().forEach(LocalModel::closeGate);
    }

    /** Fails every queued request and cancels every running one, with {@code reason}. */
    public void abortAll(BackendException reason) {
        models.values().forEach(m -> m.abortAll(reason));
    }

    /** Ends every runner. */
    @Override
    public void close() {
        closing = true;
        housekeeping.shutdownNow();
        BackendException reason = BackendException.stopped("shutting_down", "the server is shutting down");
        models.values().forEach(m -> m.unload(reason));
    }

    RunnerProcess startRunner(LocalModel m, Consumer<RunnerProcess> onCrash) {
        if (closing) {
            throw BackendException.stopped("shutting_down", "the server is shutting down");
        }
        stopped.remove(m);  // a request wants it again
        long memoryLimit = config.limits().runnerMemoryLimit(m.estimate().total());
        return RunnerProcess.start(m.model(), m.config().path(), m.options(),
                config.nativeLibraryDir().or(() -> java.util.Optional.ofNullable(m.options().nativeLibraryDir())),
                launch.command(memoryLimit, config.limits().stateDir().resolve("crash")), config.loadTimeout(),
                config.limits().runnerStallTimeout(), onCrash);
    }

    /**
     * Makes room for {@code m} in the memory budget, unloading idle models (least recently used first)
     * when needed.
     *
     * @throws BackendException out of memory when even unloading every idle model leaves too little room
     */
    void reserveMemory(LocalModel m) {
        budgetLock.lock();
        try {
            reserved.remove(m);
            long need = m.estimate().total();
            long budget = config.memoryBudget();
            long giveUp = System.nanoTime() + EVICTION_WAIT.toNanos();
            while (used() + need > budget) {
                List<LocalModel> idle = reserved.keySet().stream()
                        .filter(v -> v != m && !v.busy())
                        .sorted(Comparator.comparingLong(LocalModel::idleNanos).reversed())
                        .toList();
                if (idle.isEmpty() || System.nanoTime() > giveUp) {
                    List<String> holders = reserved.keySet().stream().filter(v -> v != m).map(LocalModel::model).toList();
                    throw BackendException.outOfMemory("model '" + m.model() + "' needs about "
                            + LoadedModelMemory.mib(need) + " but only " + LoadedModelMemory.mib(Math.max(0, budget - used()))
                            + " of the " + LoadedModelMemory.mib(budget) + " memory budget is free and the models holding the rest "
                            + holders + " are busy: retry later, or raise memory_budget");
                }
                boolean unloaded = false;
                for (LocalModel victim : idle) {
                    if (victim.unloadIfIdle(Duration.ZERO)) {
                        log.info("unloaded idle model '{}' to make room for '{}'", victim.model(), m.model());
                        unloaded = true;
                        break;
                    }
                }
                if (!unloaded) {
                    // Each idle model is in someone's hands (the keep-alive unloading it, say): give them a moment.
                    sleep(50);
                }
            }
            reserved.put(m, need);
        } finally {
            budgetLock.unlock();
        }
    }

    /** Lock-free, so that a model being unloaded can give its memory back while another model waits for it. */
    void releaseMemory(LocalModel m) {
        reserved.remove(m);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BackendException.stopped("interrupted", "the request was interrupted");
        }
    }

    private long used() {
        return reserved.values().stream().mapToLong(Long::longValue).sum();
    }

    void unloadSoon(LocalModel m) {
        if (!closing) {
            housekeeping.execute(() -> {
                if (m.unloadIfIdle(Duration.ZERO)) {
                    log.info("unloaded model '{}' (keep_alive 0)", m.model());
                }
            });
        }
    }

    /** Every second: unloads models idle past their keep-alive, reloads preloaded models whose runner died. */
    private void housekeep() {
        try {
            for (LocalModel m : models.values()) {
                ModelConfig c = m.config();
                if (c.preload() && stopped.contains(m)) {
                    continue;  // `slm stop`: unloaded until a request wants it again
                }
                if (c.preload()) {
                    long last = lastPreloadAttempt.getOrDefault(m, 0L);
                    if (!m.loaded() && !closing && System.nanoTime() - last > PRELOAD_RETRY.toNanos()) {
                        tryLoad(m);
                    }
                } else {
                    Duration keepAlive = m.keepAlive();
                    if (!keepAlive.isNegative() && m.loaded() && !m.busy() && m.idleNanos() >= keepAlive.toNanos()
                            && m.unloadIfIdle(keepAlive)) {
                        log.info("unloaded model '{}' after {} s idle (keep_alive)", m.model(), keepAlive.toSeconds());
                    }
                }
            }
        } catch (RuntimeException e) {
            log.error("model housekeeping failed", e);
        }
    }

    private void registerGauges() {
        metrics.gauge("slm_slots", "Slots (concurrent generations) of each model.",
                sink -> models.values().forEach(m -> sink.sample(m.slots(), m.model())), "model");
        metrics.gauge("slm_slots_active", "Slots in use now.",
                sink -> models.values().forEach(m -> sink.sample(m.activeSlots(), m.model())), "model");
        metrics.gauge("slm_queue_depth", "Requests waiting for a slot.",
                sink -> models.values().forEach(m -> sink.sample(m.queued(), m.model())), "model");
        metrics.gauge("slm_model_loaded", "1 when the model's runner is up.",
                sink -> models.values().forEach(m -> sink.sample(m.loaded() ? 1 : 0, m.model())), "model");
        metrics.gauge("slm_runner_pid", "Process id of the model's runner (only while loaded).",
                sink -> models.values().forEach(m -> m.ifLoaded(r -> {
                    sink.sample(r.pid(), m.model());
                    return null;
                }, () -> null)), "model");
        metrics.gauge("slm_runner_resident_memory_bytes", "Resident memory of the model's runner process.",
                sink -> models.values().forEach(m -> m.ifLoaded(r -> {
                    ProcessMemory.residentBytes(r.pid()).ifPresent(v -> sink.sample(v, m.model()));
                    return null;
                }, () -> null)), "model");
        metrics.gauge("slm_model_memory_estimate_bytes", "Memory the model is expected to need when loaded.",
                sink -> models.values().forEach(m -> sink.sample(m.estimate().total(), m.model())), "model");
        metrics.gauge("slm_memory_budget_bytes", "Memory the loaded models may use together.",
                sink -> sink.sample(config.memoryBudget()));
        metrics.gauge("slm_memory_reserved_bytes", "Memory reserved by the loaded models (by estimate).",
                sink -> sink.sample(used()));
    }
}
