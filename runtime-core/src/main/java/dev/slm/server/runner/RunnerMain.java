package dev.slm.server.runner;

import dev.slm.SlmException;
import dev.slm.engine.Completion;
import dev.slm.engine.ContextOverflowException;
import dev.slm.engine.Generation;
import dev.slm.engine.GenerationEvent;
import dev.slm.engine.Model;
import dev.slm.engine.OpenAiCall;
import dev.slm.engine.llamacpp.LlamaNativeLibrary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import sun.misc.Signal;

/**
 * A runner: the child process that holds one model for {@code slm serve}. It speaks
 * {@link RunnerMessage}s on stdin/stdout and ends when its stdin closes. Keeping the model here is
 * what lets the server unload it for real (the binding's close() frees nothing: exiting does) and
 * survive a native crash.
 */
public final class RunnerMain {
    private final RunnerProtocol protocol;
    private final Map<Long, Running> generations = new ConcurrentHashMap<>();
    private Model model;

    /**
     * A generation request, registered by the reading thread as it reads the request, so a cancel
     * that follows at once finds it even before the generation has started.
     */
    private static final class Running {
        private Runnable canceller;
        private boolean cancelled;

        /** @param cancel stops the generation (Generation.cancel, OpenAiCall.cancel) */
        synchronized void started(Runnable cancel) {
            canceller = cancel;
            if (cancelled) {
                cancel.run();
            }
        }

        synchronized void cancel() {
            cancelled = true;
            if (canceller != null) {
                canceller.run();
            }
        }
    }

    private RunnerMain(OutputStream protocolOut) {
        this.protocol = new RunnerProtocol(protocolOut);
    }

    public static void main(String[] args) {
        OutputStream out = ProtocolOutput.claimStdout();
        preferAsOomVictim();
        // Ctrl-C in a terminal reaches the whole process group: the server decides when runners end.
        try {
            Signal.handle(new Signal("INT"), signal -> { });
        } catch (IllegalArgumentException e) {
            // no SIGINT here
        }
        int code = new RunnerMain(out).run(System.in);
        // The binding's worker thread keeps the JVM alive (upstream #116).
        System.exit(code);
    }

    /**
     * When memory runs out, the kernel should kill a runner (the server replaces it) rather than the
     * server. Raising one's own OOM score needs no privilege; elsewhere than Linux this does nothing.
     */
    private static void preferAsOomVictim() {
        try {
            java.nio.file.Files.writeString(Path.of("/proc/self/oom_score_adj"), "500");
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            // not Linux, or not allowed: the kernel's own choice stands
        }
    }

    private int run(InputStream in) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        try {
            String first = reader.readLine();
            if (first == null) {
                return 0;
            }
            if (!(RunnerProtocol.parse(first) instanceof RunnerMessage.Load load)) {
                protocol.send(new RunnerMessage.LoadFailed("the first message to a runner must be 'load'"));
                return 1;
            }
            try {
                if (load.nativeLibraryDir() != null) {
                    LlamaNativeLibrary.load(Optional.of(Path.of(load.nativeLibraryDir())));
                }
                model = Model.open(Path.of(load.path()), load.options());
            } catch (SlmException | IllegalArgumentException e) {
                protocol.send(new RunnerMessage.LoadFailed(e.getMessage()));
                return 1;
            }
            protocol.send(new RunnerMessage.Ready(ProcessHandle.current().pid(),
                    model.options().contextSize(), model.options().parallel()));
            String line;
            while ((line = reader.readLine()) != null) {
                handle(RunnerProtocol.parse(line));
            }
            return 0;
        } catch (IOException e) {
            // The server is gone or the pipe broke: nothing is left to answer to.
            System.err.println("slm runner: " + e.getMessage());
            return 0;
        }
    }

    private void handle(RunnerMessage message) {
        switch (message) {
            case RunnerMessage.Generate g -> {
                Running r = new Running();
                generations.put(g.id(), r);
                Thread.ofVirtual().name("runner-generate-" + g.id()).start(() -> generate(g, r));
            }
            case RunnerMessage.OpenAi o -> {
                Running r = new Running();
                generations.put(o.id(), r);
                Thread.ofVirtual().name("runner-openai-" + o.id()).start(() -> openAi(o, r));
            }
            case RunnerMessage.Embed e -> Thread.ofVirtual().name("runner-embed-" + e.id()).start(() -> embed(e));
            case RunnerMessage.Cancel c -> {
                Running r = generations.get(c.id());
                if (r != null) {
                    r.cancel();
                }
            }
            case RunnerMessage.Ping p -> send(new RunnerMessage.Pong(p.seq()));
            default -> System.err.println("slm runner: ignoring unexpected message " + message.getClass().getSimpleName());
        }
    }

    private void generate(RunnerMessage.Generate request, Running running) {
        long id = request.id();
        Generation generation;
        try {
            generation = request.messages() != null
                    ? model.chat(request.messages(), request.sampling())
                    : model.generate(request.prompt(), request.sampling());
        } catch (SlmException | IllegalArgumentException e) {
            generations.remove(id);
            send(new RunnerMessage.Failed(id, true, e.getMessage(),
                    e instanceof ContextOverflowException ? RunnerMessage.CONTEXT_LENGTH_EXCEEDED : null));
            return;
        }
        running.started(generation::cancel);
        boolean tokenSent = false;
        try {
            for (GenerationEvent event : generation) {
                switch (event) {
                    case GenerationEvent.Token t -> {
                        tokenSent = true;
                        send(new RunnerMessage.Token(id, t.text()));
                    }
                    case Completion c -> send(new RunnerMessage.Done(id, c.text(), c.stopReason(),
                            c.usage().promptTokens(), c.usage().completionTokens(),
                            c.timings().timeToFirstToken().toNanos(), c.timings().total().toNanos(),
                            c.timings().tokensPerSecond()));
                }
            }
        } catch (SlmException e) {
            send(new RunnerMessage.Failed(id, !tokenSent, e.getMessage()));
        } finally {
            generations.remove(id);
        }
    }

    /** llama.cpp's own handler: its status and body, or its stream chunk by chunk, then the end. */
    private void openAi(RunnerMessage.OpenAi request, Running running) {
        long id = request.id();
        boolean chunkSent = false;
        try (OpenAiCall call = model.openAi(request.route(), request.body())) {
            running.started(call::cancel);
            if (!call.streaming()) {
                send(new RunnerMessage.Answer(id, call.status(), call.body()));
                return;
            }
            for (String chunk = call.body(); chunk != null; chunk = call.nextChunk()) {
                if (!chunk.isEmpty()) {
                    chunkSent = true;
                    send(new RunnerMessage.Chunk(id, chunk));
                }
            }
            send(new RunnerMessage.Answer(id, call.status(), null));
        } catch (SlmException | IllegalArgumentException e) {
            send(new RunnerMessage.Failed(id, !chunkSent, e.getMessage()));
        } finally {
            generations.remove(id);
        }
    }

    private void embed(RunnerMessage.Embed request) {
        try {
            List<float[]> vectors = new ArrayList<>();
            int tokens = 0;
            for (String input : request.inputs()) {
                tokens += model.countTokens(input);
                vectors.add(model.embed(input));
            }
            send(new RunnerMessage.Embedding(request.id(), vectors, tokens));
        } catch (SlmException | IllegalArgumentException e) {
            send(new RunnerMessage.Failed(request.id(), true, e.getMessage()));
        }
    }

    private void send(RunnerMessage message) {
        try {
            protocol.send(message);
        } catch (IOException e) {
            // The server closed the pipe; it is ending this runner.
            System.exit(0);
        }
    }
}
