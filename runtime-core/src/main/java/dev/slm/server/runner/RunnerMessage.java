package dev.slm.server.runner;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.slm.engine.ChatMessage;
import dev.slm.engine.ModelOptions;
import dev.slm.engine.SamplingOptions;
import dev.slm.engine.StopReason;
import java.util.List;

/**
 * The protocol between the server and a runner: one JSON object per line, told apart by its
 * {@code type}. The server sends {@code load} once, then {@code generate}, {@code embed} and
 * {@code cancel}; the runner answers {@code ready} (or {@code load_failed}), then per request id
 * {@code token}s and one {@code done}, or one {@code embedding}, or one {@code failed}. An
 * {@code open_ai} request (llama.cpp's own route handler, for what only it does: tool calls) is
 * answered by {@code chunk}s of its stream and one {@code answer}, or by one {@code answer} alone.
 * Closing the runner's stdin ends it. Once loaded, the server sends {@code ping}s; the runner's
 * reading thread answers each with a {@code pong} at once, so a runner that stops answering is
 * frozen (SIGSTOP, a wedged JVM), not busy.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = RunnerMessage.Load.class, name = "load"),
    @JsonSubTypes.Type(value = RunnerMessage.Generate.class, name = "generate"),
    @JsonSubTypes.Type(value = RunnerMessage.Embed.class, name = "embed"),
    @JsonSubTypes.Type(value = RunnerMessage.Cancel.class, name = "cancel"),
    @JsonSubTypes.Type(value = RunnerMessage.Ready.class, name = "ready"),
    @JsonSubTypes.Type(value = RunnerMessage.LoadFailed.class, name = "load_failed"),
    @JsonSubTypes.Type(value = RunnerMessage.Token.class, name = "token"),
    @JsonSubTypes.Type(value = RunnerMessage.Done.class, name = "done"),
    @JsonSubTypes.Type(value = RunnerMessage.Embedding.class, name = "embedding"),
    @JsonSubTypes.Type(value = RunnerMessage.Failed.class, name = "failed"),
    @JsonSubTypes.Type(value = RunnerMessage.OpenAi.class, name = "open_ai"),
    @JsonSubTypes.Type(value = RunnerMessage.Chunk.class, name = "chunk"),
    @JsonSubTypes.Type(value = RunnerMessage.Answer.class, name = "answer"),
    @JsonSubTypes.Type(value = RunnerMessage.Ping.class, name = "ping"),
    @JsonSubTypes.Type(value = RunnerMessage.Pong.class, name = "pong"),
})
public sealed interface RunnerMessage {

    /** Server to runner, first: which model to open and how. */
    record Load(String path, ModelOptions options, String nativeLibraryDir) implements RunnerMessage {
    }

    /** Server to runner: generate for {@code prompt}, or for {@code messages} rendered with the model's template. */
    record Generate(long id, String prompt, List<ChatMessage> messages, SamplingOptions sampling) implements RunnerMessage {
    }

    record Embed(long id, List<String> inputs) implements RunnerMessage {
    }

    /** Server to runner: {@code body} for llama.cpp's own handler of {@code route} (engine.OpenAiCall). */
    record OpenAi(long id, String route, String body) implements RunnerMessage {
    }

    /** Runner to server: one SSE chunk of an {@link OpenAi} request's stream, as llama.cpp wrote it. */
    record Chunk(long id, String data) implements RunnerMessage {
    }

    /**
     * Runner to server, last for an {@link OpenAi} request: its status and whole body, or after a
     * stream's chunks, {@code body} null.
     */
    record Answer(long id, int status, String body) implements RunnerMessage {
    }

    record Cancel(long id) implements RunnerMessage {
    }

    /** Runner to server: the model is loaded; {@code contextSize} is per slot. */
    record Ready(long pid, int contextSize, int parallel) implements RunnerMessage {
    }

    record LoadFailed(String message) implements RunnerMessage {
    }

    record Token(long id, String text) implements RunnerMessage {
    }

    record Done(long id, String text, StopReason stopReason, int promptTokens, int completionTokens,
                long timeToFirstTokenNanos, long totalNanos, double tokensPerSecond) implements RunnerMessage {
    }

    record Embedding(long id, List<float[]> vectors, int promptTokens) implements RunnerMessage {
    }

    /**
     * A request that failed. {@code rejected}: the model refused it before generating anything (a
     * prompt longer than the context, a schema llama.cpp cannot use...), so it is the client's to fix.
     * {@code code}: {@link #CONTEXT_LENGTH_EXCEEDED} for a prompt longer than the context, else null.
     */
    record Failed(long id, boolean rejected, String message, String code) implements RunnerMessage {
        public Failed(long id, boolean rejected, String message) {
            this(id, rejected, message, null);
        }
    }

    /** {@link Failed#code()} of a prompt longer than the model's context (OpenAI's code for it). */
    String CONTEXT_LENGTH_EXCEEDED = "context_length_exceeded";

    /** Server to runner: are you there? */
    record Ping(long seq) implements RunnerMessage {
    }

    /** Runner to server: the answer to {@link Ping}. */
    record Pong(long seq) implements RunnerMessage {
    }
}
