package dev.slm.server.local;

import dev.slm.engine.ModelOptions;
import dev.slm.gguf.GgufFile;
import dev.slm.profile.LaunchPlanText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.slm.server.backend.BackendException;
import dev.slm.server.backend.Backend;
import dev.slm.server.backend.RequestDefaults;
import dev.slm.server.backend.Embeddings;
import dev.slm.server.backend.TextRequest;
import dev.slm.server.backend.TextStream;
import dev.slm.engine.OpenAiCall;
import dev.slm.server.config.ModelConfig;
import dev.slm.server.runner.RunnerProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A configured model served from a runner process of its own: loaded on first use, replaced when
 * its runner dies, unloaded (its runner ended) after {@code keep_alive} without requests or when
 * another model needs its memory.
 */
public final class LocalModel implements Backend {
    private static final Logger log = LoggerFactory.getLogger(LocalModel.class);
    private final ModelConfig config;
    private final GgufFile header;
    /** The plan from its configuration; {@link #plan} differs while a request's num_ctx has widened it, until unloaded. */
    private final LocalModels.Plan configured;
    private volatile LocalModels.Plan plan;
    /** keep_alive asked for by the last Ollama request, until unloaded; null: the configured one. */
    private volatile Duration requestedKeepAlive;
    private final LocalModels owner;
    private final SlotGate gate;
    // Not synchronized: requests run on virtual threads, which must not block while pinned.
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger inUse = new AtomicInteger();
    private volatile RunnerProcess runner;
    private volatile long lastUsedNanos = System.nanoTime();
    private boolean crashedBefore;
    private volatile String trouble;
    private final LoadBackoff backoff = new LoadBackoff();

    LocalModel(LocalModels.Plan plan, LocalModels owner) {
        this.configured = plan;
        this.plan = plan;
        this.config = plan.config();
        this.header = plan.header();
        this.owner = owner;
        this.gate = new SlotGate(config.name(), config.options().parallel(), config.queue());
    }

    @Override
    public String model() {
        return config.name();
    }

    public ModelConfig config() {
        return config;
    }

    public GgufFile header() {
        return header;
    }

    public LoadedModelMemory estimate() {
        return plan.memory();
    }

    /** The options its runner opens the model with: the launch plan's. */
    public ModelOptions options() {
        return plan.options();
    }

    public LocalModels.Plan plan() {
        return plan;
    }

    @Override
    public TextStream generate(TextRequest request) {
        return withSlot(request.deadline(), (runner, done) -> runner.generate(request, done));
    }

    @Override
    public boolean seesImages() {
        return config.options().visionProjector().isPresent();
    }

    @Override
    public RequestDefaults defaults() {
        return config.defaults();
    }

    @Override
    public int loraAdapters() {
        return config.options().adapters().size();
    }

    @Override
    public OpenAiCall openAi(String route, String body, Instant deadline) {
        return withSlot(deadline, (runner, done) -> runner.openAi(route, body, deadline, done));
    }

    @Override
    public Embeddings embed(List<String> inputs, Instant deadline) {
        if (!config.options().embeddings()) {
            throw BackendException.rejected("model", "model '" + config.name() + "' is not set up for embeddings: set 'embeddings = true' in its [model."
                    + config.name() + "] section");
        }
        return withSlot(deadline, (runner, done) -> {
            try {
                return runner.embed(inputs, deadline);
            } finally {
                done.run();
            }
        });
    }

    private interface SlotWork<T> {
        T run(RunnerProcess runner, Runnable done);
    }

    /** Takes a slot (or a place in the queue), makes sure the runner is up, and hands both to {@code work}. */
    private <T> T withSlot(Instant deadline, SlotWork<T> work) {
        SlotGate.Permit permit = gate.acquire(deadline);
        RunnerProcess r;
        try {
            r = acquireRunner();
        } catch (RuntimeException e) {
            permit.release();
            throw e;
        }
        Runnable done = new Runnable() {
            private final java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();

            @Override
            public void run() {
                if (once.compareAndSet(false, true)) {
                    permit.release();
                    releaseRunner();
                }
            }
        };
        try {
            return work.run(r, done);
        } catch (RuntimeException e) {
            done.run();
            throw e;
        }
    }

    /** The running runner, started if there is none; counts one more user until {@link #releaseRunner()}. */
    private RunnerProcess acquireRunner() {
        lock.lock();
        try {
            RunnerProcess r = runner;
            if (r == null || !r.alive()) {
                r = load();
            }
            inUse.incrementAndGet();
            return r;
        } finally {
            lock.unlock();
        }
    }

    private void releaseRunner() {
        lastUsedNanos = System.nanoTime();
        if (inUse.decrementAndGet() == 0 && keepAlive().isZero() && !config.preload()) {
            owner.unloadSoon(this);
        }
    }

    /** How long it stays loaded without requests: as the last Ollama request asked, else as configured; negative = for good. */
    Duration keepAlive() {
        Duration asked = requestedKeepAlive;
        return asked != null ? asked : config.keepAlive();
    }

    /**
     * Ollama's {@code keep_alive}: from this request on, the model stays loaded that long after its
     * last request (zero: it unloads once its requests end; negative: for good); null goes back to
     * the configured keep_alive. It lasts until the model is unloaded. A preloaded model stays loaded.
     */
    @Override
    public void keepAlive(Duration keepAlive) {
        // Said before the request uses the model: the request counts as a use from here, and under
        // the lock, so that housekeeping cannot take the model for idle (by its old keep_alive),
        // unload it and forget this one in between.
        lock.lock();
        try {
            lastUsedNanos = System.nanoTime();
            requestedKeepAlive = keepAlive;
        } finally {
            lock.unlock();
        }
        if (keepAlive != null && keepAlive.isZero() && !busy() && !config.preload()) {
            owner.unloadSoon(this); // said after the answer, or with none (Ollama's way to unload)
        }
    }

    /**
     * Ollama's {@code num_ctx}: a model with a smaller context is reloaded with {@code tokens} (at
     * most what it was trained for) once its running requests end, while new ones wait; a model
     * with at least that much answers as it is. It keeps the wider context until unloaded. One way
     * to load: the same planner, memory budget and runner start as any load.
     *
     * @throws BackendException rejected (options.num_ctx) when the wider plan cannot be served;
     *                          timeout when the running requests outlast {@code deadline}
     */
    @Override
    public void widenContext(int tokens, Instant deadline) {
        int wanted = (int) Math.min(tokens, ModelOptions.trainedContext(header.contextLength()));
        if (wanted <= plan.options().contextSize()) {
            return;
        }
        LocalModels.Plan wider = owner.withContext(plan, wanted);
        lock.lock();
        try {
            if (wanted <= plan.options().contextSize()) {
                return; // another request widened it meanwhile
            }
            while (inUse.get() > 0) {
                if (Instant.now().isAfter(deadline)) {
                    throw BackendException.timeout("model '" + config.name() + "' was still answering other requests when this one"
                            + " timed out waiting to reload it with options.num_ctx " + wanted);
                }
                sleepBriefly();
            }
            RunnerProcess r = runner;
            if (r != null) {
                runner = null;
                r.stop(Duration.ofSeconds(5), BackendException.stopped("model_unloaded", "model '" + config.name() + "' was reloaded"));
                owner.releaseMemory(this);
            }
            log.info("model '{}' takes a context of {} tokens (options.num_ctx; configured: {})", config.name(), wanted,
                    configured.options().contextSize());
            LocalModels.Plan before = plan;
            plan = wider;
            try {
                load();
            } catch (RuntimeException e) {
                plan = before; // the next request loads the model as it was
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BackendException.stopped("interrupted", "the request was interrupted");
        }
    }

    /** Holding {@link #lock}, the runner gone: what a request changed lasts only as long as the load. */
    private void forgetRequestedSettings() {
        plan = configured;
        requestedKeepAlive = null;
    }

    @Override
    public void load(Instant deadline) {
        withSlot(deadline, (runner, done) -> {
            done.run();
            return null;
        });
    }

    /** Loads the model now unless it is loaded; for preloading. */
    void ensureLoaded() {
        lock.lock();
        try {
            if (runner == null || !runner.alive()) {
                load();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Holding {@link #lock}. */
    private RunnerProcess load() {
        if (runner != null) {
            crashedBefore = true; // only a crash leaves a dead runner here; unloading clears it
        }
        runner = null;
        backoff.check(config.name());
        owner.reserveMemory(this);
        log.info("loading model '{}': {}", config.name(), LaunchPlanText.oneLine(plan.launch()));
        RunnerProcess r;
        try {
            r = owner.startRunner(this, this::onCrash);
        } catch (RuntimeException e) {
            owner.releaseMemory(this);
            if (e instanceof BackendException a && LoadBackoff.counts(a)) {
                trouble = backoff.failed(config.name(), a.getMessage());
            }
            throw e;
        }
        backoff.succeeded();
        owner.metrics().runnerStarts.inc(config.name());
        if (crashedBefore) {
            owner.metrics().runnerRestarts.inc(config.name());
            crashedBefore = false;
        }
        runner = r;
        trouble = null;
        lastUsedNanos = System.nanoTime();
        return r;
    }

    /** What went wrong with the last runner, until a new one is up; for {@code /ready}. */
    java.util.Optional<String> trouble() {
        return java.util.Optional.ofNullable(trouble);
    }

    private void onCrash(RunnerProcess dead) {
        owner.metrics().runnerCrashes.inc(config.name());
        if (dead.stalled()) {
            owner.metrics().runnerStalls.inc(config.name());
            trouble = "its runner (pid " + dead.pid() + ") stopped answering and was killed; a new one is starting";
        } else {
            trouble = "its runner (pid " + dead.pid() + ") exited unexpectedly; a new one is starting";
        }
        lock.lock();
        try {
            if (runner == dead) {
                runner = null;
                crashedBefore = true;
                owner.releaseMemory(this);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the runner if nothing uses the model and it has been idle for {@code idle}; never waits
     * for a model that is busy loading. Returns whether it was unloaded.
     */
    boolean unloadIfIdle(Duration idle) {
        if (!lock.tryLock()) {
            return false;
        }
        try {
            RunnerProcess r = runner;
            if (r == null || inUse.get() > 0 || System.nanoTime() - lastUsedNanos < idle.toNanos()) {
                return false;
            }
            runner = null;
            r.stop(Duration.ofSeconds(5), BackendException.stopped("model_unloaded", "model '" + config.name() + "' was unloaded"));
            owner.releaseMemory(this);
            forgetRequestedSettings();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the runner whatever it is doing; its requests fail with {@code reason}. */
    void unload(BackendException reason) {
        lock.lock();
        try {
            RunnerProcess r = runner;
            if (r != null) {
                runner = null;
                r.stop(Duration.ofSeconds(5), reason);
                owner.releaseMemory(this);
            }
            forgetRequestedSettings();
        } finally {
            lock.unlock();
        }
    }

    /** Cancels what runs and fails what waits, for a shutdown past its grace period. */
    void abortAll(BackendException reason) {
        gate.abort();
        RunnerProcess r = runner;
        if (r != null) {
            r.abortAll(reason);
        }
    }

    void closeGate() {
        gate.close();
    }

    boolean loaded() {
        RunnerProcess r = runner;
        return r != null && r.alive();
    }

    boolean busy() {
        return inUse.get() > 0;
    }

    long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    <T> T ifLoaded(java.util.function.Function<RunnerProcess, T> f, Supplier<T> otherwise) {
        RunnerProcess r = runner;
        return r != null && r.alive() ? f.apply(r) : otherwise.get();
    }

    int activeSlots() {
        return gate.active();
    }

    int queued() {
        return gate.waiting();
    }

    int slots() {
        return gate.slots();
    }
}
