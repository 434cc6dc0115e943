package dev.slm.server.runner;

import dev.slm.engine.OpenAiCall;

/**
 * An {@link OpenAiCall} answered in a runner: llama.cpp's status and body, or its stream, relayed
 * message by message ({@link RunnerMessage.Chunk}s, then an {@link RunnerMessage.Answer}). The
 * first call to any accessor waits for the runner's first message.
 *
 * <p>Failures are {@link dev.slm.server.backend.BackendException}s, as for a {@link RunnerCall}: a deadline passed, a runner
 * gone, a request the model refused.
 */
final class RunnerOpenAiCall implements OpenAiCall {
    private final RunnerCall call;
    private RunnerMessage first;
    private boolean ended;

    RunnerOpenAiCall(RunnerCall call) {
        this.call = call;
    }

    private RunnerMessage first() {
        if (first == null) {
            first = call.take();
            ended = first instanceof RunnerMessage.Answer;
        }
        return first;
    }

    @Override
    public int status() {
        return first() instanceof RunnerMessage.Answer a ? a.status() : 200;
    }

    @Override
    public boolean streaming() {
        return first() instanceof RunnerMessage.Chunk;
    }

    @Override
    public String body() {
        return switch (first()) {
            case RunnerMessage.Answer a -> a.body();
            case RunnerMessage.Chunk c -> c.data();
            case RunnerMessage other -> throw new IllegalStateException("unexpected " + other.getClass().getSimpleName());
        };
    }

    @Override
    public String nextChunk() {
        first();
        if (ended) {
            return null;
        }
        RunnerMessage next = call.take();
        if (next instanceof RunnerMessage.Chunk c) {
            return c.data();
        }
        ended = true;
        return null;
    }

    @Override
    public void cancel() {
        call.cancel();
    }

    @Override
    public void close() {
        call.close();
    }
}
