package dev.slm.engine.llamacpp;

import de.kherud.llama.LlamaModel;
import dev.slm.hardware.CpuLoad;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives each watched model fewer CPU threads while other processes keep cores busy, and all of them
 * again once the cores are free: a thread count that is fast on a quiet machine and does not
 * collapse on a busy one.
 *
 * <p>Why (docs/performance.md, "Threads"): ggml's threads meet at a spinning
 * barrier after each operation of a graph (about 500 per token for SmolLM2-135M), so one thread
 * that loses its core to another process holds up all the others. With one of 2 cores taken by a
 * busy loop, llama-bench generated at 2 threads 0.58x (SmolLM2-135M Q8_0) and 0.57x (Qwen2.5-0.5B
 * Q4_0) of its 1-thread speed, and ggml's polling level between graphs ({@code --poll} 0, 10, 50,
 * 100) moved that by no more than the noise: only computing with no more threads than there are
 * free cores avoids it.
 *
 * <p>Twice a second it reads what the other processes took ({@link CpuLoad}), smooths it, and
 * gives each model its ceiling less one CPU for every CPU that others keep more than half busy
 * ({@link #threadsFor}); a new count must come out of two readings in a row before it is applied,
 * so that a short burst moves nothing. The count is applied by llama.cpp's compute thread itself
 * at its next graph ({@link SlmNative#setThreads}).
 *
 * <p>Only for slm's own library on Linux, and only for models whose thread count came from the
 * hardware profile: a count given by the user ({@code -t}, {@code threads =}) is kept as given.
 */
final class ThreadGovernor {
    private static final Logger log = LoggerFactory.getLogger(ThreadGovernor.class);
    private static final Duration PERIOD = Duration.ofMillis(500);
    private static final ThreadGovernor PROCESS = new ThreadGovernor(Load.proc(), PERIOD);

    /** What other processes take of the machine's CPUs since the last call. */
    interface Load {
        /** CPUs' worth of time others kept busy since the previous call, or empty when unknown. */
        Optional<Double> othersBusyCpus();

        int cpus();

        /** From /proc; empty where /proc/stat cannot be read. */
        static Load proc() {
            return new Load() {
                private CpuLoad last = CpuLoad.now().orElse(null);

                @Override
                public Optional<Double> othersBusyCpus() {
                    Optional<CpuLoad> now = CpuLoad.now();
                    Optional<Double> busy = now.flatMap(n -> Optional.ofNullable(last).map(n::othersBusyCpusSince));
                    last = now.orElse(null);
                    return busy;
                }

                @Override
                public int cpus() {
                    return last == null ? Runtime.getRuntime().availableProcessors() : last.cpus();
                }
            };
        }
    }

    /** One model: its ceiling, the count it computes with and the count the previous reading gave. */
    private static final class Watched {
        final LlamaModel model;
        final int ceiling;
        int applied;
        int proposed;

        Watched(LlamaModel model, int ceiling) {
            this.model = model;
            this.ceiling = ceiling;
            this.applied = ceiling;
            this.proposed = ceiling;
        }
    }

    private final Load load;
    private final Duration period;
    // A lock, not synchronized: callers may be virtual threads. Held while a count is handed to a
    // model, so that once unwatch returns the model can be closed.
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Watched> watched = new ArrayList<>();
    private ScheduledExecutorService ticker;
    private double smoothed;

    ThreadGovernor(Load load, Duration period) {
        this.load = load;
        this.period = period;
    }

    /** The process's governor, or empty where it cannot read the machine's load (no /proc). */
    static Optional<ThreadGovernor> forThisProcess() {
        return CpuLoad.now().isPresent() ? Optional.of(PROCESS) : Optional.empty();
    }

    /**
     * The threads to compute with: {@code ceiling}, less one CPU for every CPU that other processes
     * keep more than half busy; at least 1.
     */
    static int threadsFor(int ceiling, int cpus, double othersBusyCpus) {
        int taken = (int) Math.floor(othersBusyCpus + 0.5);
        return Math.max(1, Math.min(ceiling, cpus - taken));
    }

    /**
     * Starts governing {@code model}, which was opened with {@code ceiling} threads; returns what stops
     * it, to run before the model is closed.
     */
    Runnable watch(LlamaModel model, int ceiling) {
        Watched w = new Watched(model, ceiling);
        lock.lock();
        try {
            watched.add(w);
            if (ticker == null) {
                ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("slm-thread-governor").factory());
                ticker.scheduleWithFixedDelay(this::tick, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
        return () -> unwatch(w);
    }

    private void unwatch(Watched w) {
        lock.lock();
        try {
            watched.remove(w);
            if (watched.isEmpty() && ticker != null) {
                ticker.shutdown();
                ticker = null;
            }
        } finally {
            lock.unlock();
        }
    }

    private void tick() {
        lock.lock(); // also orders the readings of a ticker that replaced a stopped one
        try {
            Optional<Double> busy = load.othersBusyCpus();
            if (busy.isEmpty()) {
                return;
            }
            smoothed = (smoothed + busy.get()) / 2;
            for (Watched w : watched) {
                int target = threadsFor(w.ceiling, load.cpus(), smoothed);
                if (target != w.applied && target == w.proposed) {
                    log.debug("threads {} -> {}: other processes keep {} of {} CPUs busy", w.applied, target,
                            String.format("%.1f", smoothed), load.cpus());
                    SlmNative.setThreads(w.model, target);
                    w.applied = target;
                }
                w.proposed = target;
            }
        } catch (RuntimeException e) {
            log.debug("thread governor: {}", e.toString());
        } finally {
            lock.unlock();
        }
    }
}
