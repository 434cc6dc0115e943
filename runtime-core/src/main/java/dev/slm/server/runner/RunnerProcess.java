package dev.slm.server.runner;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.slm.engine.ModelOptions;
import dev.slm.engine.OpenAiCall;
import dev.slm.server.backend.BackendException;
import dev.slm.server.backend.Embeddings;
import dev.slm.server.backend.Prompt;
import dev.slm.server.backend.TextRequest;
import dev.slm.server.backend.TextStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's handle on one runner process: starts it, sends it requests, routes its answers to
 * the requests that wait for them, and notices when it dies. A runner that dies fails every request
 * it held with a 503; whoever owns it is told through {@code onCrash}.
 */
public final class RunnerProcess {
    private static final Logger log = LoggerFactory.getLogger(RunnerProcess.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final String model;
    private final Process process;
    private final RunnerProtocol protocol;
    private final Map<Long, RunnerCall> calls = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<RunnerMessage>> embeddings = new ConcurrentHashMap<>();
    private final CompletableFuture<RunnerMessage.Ready> ready = new CompletableFuture<>();
    private final CompletableFuture<String> exited = new CompletableFuture<>();
    private final Consumer<RunnerProcess> onCrash;
    private final Duration stallTimeout;
    private volatile boolean stopping;
    private volatile boolean stalled;
    private volatile long lastHeardNanos = System.nanoTime();

    private RunnerProcess(String model, Process process, Duration stallTimeout, Consumer<RunnerProcess> onCrash) {
        this.model = model;
        this.process = process;
        this.protocol = new RunnerProtocol(process.getOutputStream());
        this.stallTimeout = stallTimeout;
        this.onCrash = onCrash;
    }

    /**
     * Starts a runner and waits until its model is loaded.
     *
     * Once loaded, it must answer a heartbeat within {@code stallTimeout}, or it is taken for frozen,
     * killed, and reported through {@code onCrash} like any runner that dies.
     *
     * @throws BackendException not loaded when the process cannot start, the model does not load, or loading takes longer than {@code timeout}
     */
    public static RunnerProcess start(String model, Path path, ModelOptions options, Optional<Path> nativeLibraryDir,
                                      List<String> command, Duration timeout, Duration stallTimeout,
                                      Consumer<RunnerProcess> onCrash) {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            throw BackendException.notLoaded("runner_failed", "cannot start a runner process for model '" + model + "': " + e.getMessage());
        }
        RunnerProcess runner = new RunnerProcess(model, process, stallTimeout, onCrash);
        Thread.ofPlatform().daemon().name("slm-runner-" + model + "-" + process.pid()).start(runner::readLoop);
        try {
            runner.protocol.send(new RunnerMessage.Load(path.toString(), options,
                    nativeLibraryDir.map(Path::toString).orElse(null)));
            RunnerMessage.Ready r = runner.ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            log.info("model '{}' loaded in runner pid {} (context {} x {} slots)", model, r.pid(), r.contextSize(), r.parallel());
            runner.lastHeardNanos = System.nanoTime();
            Thread.ofVirtual().name("slm-runner-watch-" + process.pid()).start(runner::watch);
            return runner;
        } catch (TimeoutException e) {
            runner.kill();
            throw BackendException.notLoaded("model_load_failed", "model '" + model + "' did not load within "
                    + timeout.toSeconds() + " s (load_timeout): it may be too large for this machine");
        } catch (ExecutionException e) {
            runner.kill();
            throw e.getCause() instanceof BackendException a ? a
                    : BackendException.notLoaded("model_load_failed", "model '" + model + "' failed to load: " + e.getCause().getMessage());
        } catch (IOException e) {
            runner.kill();
            throw BackendException.notLoaded("model_load_failed", "runner for model '" + model + "' exited while loading: " + runner.exitDescription());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runner.kill();
            throw BackendException.stopped("interrupted", "loading model '" + model + "' was interrupted");
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive() && !exited.isDone();
    }

    public RunnerMessage.Ready ready() {
        return ready.getNow(null);
    }

    /** Sends a generation; {@code onEnd} runs once when it ends, however it ends. */
    public TextStream generate(TextRequest request, Runnable onEnd) {
        long id = IDS.incrementAndGet();
        RunnerCall call = new RunnerCall(id, this, request.deadline(), onEnd);
        calls.put(id, call);
        RunnerMessage.Generate message = switch (request.prompt()) {
            case Prompt.Text t -> new RunnerMessage.Generate(id, t.text(), null, request.sampling());
            case Prompt.Chat c -> new RunnerMessage.Generate(id, null, c.messages(), request.sampling());
        };
        try {
            protocol.send(message);
        } catch (IOException e) {
            call.abort(crashed());
        }
        if (exited.isDone()) {
            call.abort(crashed()); // it died between the put and the send: its reader has already failed the others
        }
        return call;
    }

    /**
     * Sends a request for llama.cpp's own handler of {@code route}; {@code onEnd} runs once when it
     * ends, however it ends.
     */
    public OpenAiCall openAi(String route, String body, Instant deadline, Runnable onEnd) {
        long id = IDS.incrementAndGet();
        RunnerCall call = new RunnerCall(id, this, deadline, onEnd);
        calls.put(id, call);
        try {
            protocol.send(new RunnerMessage.OpenAi(id, route, body));
        } catch (IOException e) {
            call.abort(crashed());
        }
        if (exited.isDone()) {
            call.abort(crashed());
        }
        return new RunnerOpenAiCall(call);
    }

    public Embeddings embed(List<String> inputs, Instant deadline) {
        long id = IDS.incrementAndGet();
        CompletableFuture<RunnerMessage> answer = new CompletableFuture<>();
        embeddings.put(id, answer);
        try {
            protocol.send(new RunnerMessage.Embed(id, inputs));
            if (exited.isDone()) {
                throw crashed();
            }
            RunnerMessage m = answer.get(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
            return switch (m) {
                case RunnerMessage.Embedding e -> new Embeddings(e.vectors(), e.promptTokens());
                case RunnerMessage.Failed f -> throw BackendException.rejected("input", f.message());
                default -> throw new IllegalStateException("unexpected answer " + m);
            };
        } catch (IOException e) {
            throw crashed();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof BackendException a ? a : crashed();
        } catch (TimeoutException e) {
            throw BackendException.timeout("the embedding took longer than the server's request_timeout");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BackendException.stopped("interrupted", "the request was interrupted");
        } finally {
            embeddings.remove(id);
        }
    }

    void forget(long id) {
        calls.remove(id);
    }

    void sendQuietly(RunnerMessage message) {
        try {
            protocol.send(message);
        } catch (IOException e) {
            // It is dying; its reader fails the requests.
        }
    }

    /** Requests running now. */
    public int activeCalls() {
        return calls.size() + embeddings.size();
    }

    /** Fails every request in flight with {@code reason} and asks the runner to stop them. */
    public void abortAll(BackendException reason) {
        for (RunnerCall call : List.copyOf(calls.values())) {
            sendQuietly(new RunnerMessage.Cancel(call.id()));
            call.abort(reason);
        }
        embeddings.values().forEach(f -> f.completeExceptionally(reason));
    }

    /**
     * Ends the runner: closing its stdin makes it exit, which returns all of its memory to the
     * system; one that does not exit within {@code wait} is killed.
     */
    public void stop(Duration wait, BackendException reasonForRequests) {
        stopping = true;
        abortAll(reasonForRequests);
        try {
            protocol.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("runner for model '{}' (pid {}) did not exit within {} ms; killing it", model, pid(), wait.toMillis());
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    private void kill() {
        stopping = true;
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Pings the runner a few times per stall timeout; any line from it counts as a sign of life.
     * One silent for the whole timeout is frozen: its requests would wait until request_timeout.
     */
    private void watch() {
        long interval = Math.max(50, stallTimeout.toMillis() / 4);
        long seq = 0;
        try {
            while (!stopping && !exited.isDone()) {
                sendQuietly(new RunnerMessage.Ping(++seq));
                Thread.sleep(interval);
                long silent = System.nanoTime() - lastHeardNanos;
                if (silent > stallTimeout.toNanos() && !stopping && !exited.isDone()) {
                    stalled = true;
                    log.error("runner for model '{}' (pid {}) has not answered for {} ms (runner_stall_timeout {} ms): it is frozen;"
                            + " killing it, its requests fail with 503 and a new runner takes its place",
                            model, pid(), silent / 1_000_000, stallTimeout.toMillis());
                    process.destroyForcibly(); // SIGKILL ends a stopped process too
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the runner was killed for not answering its heartbeat. */
    public boolean stalled() {
        return stalled;
    }

    private void readLoop() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lastHeardNanos = System.nanoTime();
                RunnerMessage message;
                try {
                    message = RunnerProtocol.parse(line);
                } catch (JsonProcessingException e) {
                    log.warn("runner for model '{}' printed a line that is not a protocol message: {}", model,
                            line.length() > 200 ? line.substring(0, 200) + "..." : line);
                    continue;
                }
                dispatch(message);
            }
        } catch (IOException e) {
            log.debug("reading from runner {} failed: {}", pid(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("runner reader for model '{}' failed", model, e);
        }
        onExit();
    }

    private void dispatch(RunnerMessage message) {
        switch (message) {
            case RunnerMessage.Ready r -> ready.complete(r);
            case RunnerMessage.LoadFailed f -> ready.completeExceptionally(
                    BackendException.notLoaded("model_load_failed", "model '" + model + "' failed to load: " + f.message()));
            case RunnerMessage.Token t -> deliver(t.id(), t);
            case RunnerMessage.Done d -> deliver(d.id(), d);
            case RunnerMessage.Chunk c -> deliver(c.id(), c);
            case RunnerMessage.Answer a -> deliver(a.id(), a);
            case RunnerMessage.Failed f -> {
                CompletableFuture<RunnerMessage> e = embeddings.get(f.id());
                if (e != null) {
                    e.complete(f);
                } else {
                    deliver(f.id(), f);
                }
            }
            case RunnerMessage.Embedding e -> {
                CompletableFuture<RunnerMessage> f = embeddings.get(e.id());
                if (f != null) {
                    f.complete(e);
                }
            }
            case RunnerMessage.Pong p -> {
                // a sign of life; lastHeardNanos is already updated
            }
            default -> log.warn("runner for model '{}' sent an unexpected {}", model, message.getClass().getSimpleName());
        }
    }

    private void deliver(long id, RunnerMessage message) {
        RunnerCall call = calls.get(id);
        if (call != null) {
            call.deliver(message);
        }
    }

    private void onExit() {
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String how = exitDescription();
        boolean wasLoaded = ready.isDone() && !ready.isCompletedExceptionally();
        exited.complete(how);
        // Dying while loading is reported by start(), to the request that is waiting for the load.
        ready.completeExceptionally(BackendException.notLoaded("model_load_failed",
                "the runner for model '" + model + "' exited while loading (" + how + "); its log lines say why"));
        if (stopping) {
            log.info("runner for model '{}' (pid {}) ended", model, pid());
            return;
        }
        if (!wasLoaded) {
            return;
        }
        log.warn("runner for model '{}' (pid {}) {} ({}); its requests fail with 503 and a new one takes its place",
                model, pid(), stalled ? "was killed for not answering" : "exited unexpectedly", how);
        BackendException crash = crashed();
        for (RunnerCall call : List.copyOf(calls.values())) {
            call.abort(crash);
        }
        embeddings.values().forEach(f -> f.completeExceptionally(crash));
        onCrash.accept(this);
    }

    private BackendException crashed() {
        if (stalled) {
            return BackendException.crashed("runner_stalled", "the runner process for model '" + model
                    + "' stopped answering and was replaced; retry");
        }
        return BackendException.crashed("runner_crashed", "the runner process for model '" + model + "' exited unexpectedly ("
                + exitDescription() + "); retry: the next request starts a new one");
    }

    private String exitDescription() {
        if (process.isAlive()) {
            return "still running";
        }
        int code = process.exitValue();
        return code > 128 ? "killed by signal " + (code - 128) : "exit code " + code;
    }
}
