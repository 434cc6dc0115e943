package dev.slm.routing.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.openai.ChunkStream;
import java.net.URI;

/**
 * The chunks of an upstream's event stream ({@code data: {...}} events up to {@code data: [DONE]}).
 * A stream that ends without {@code [DONE]} was cut off, and says so.
 */
final class UpstreamChunkStream implements ChunkStream {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DONE = "[DONE]";

    private final UpstreamClient client;
    private final URI uri;
    private final LineSubscriber lines;
    private boolean done;
    /** The body ended right after an event that was not [DONE]: the next call reports the cut. */
    private boolean cutOff;

    UpstreamChunkStream(UpstreamClient client, URI uri, LineSubscriber lines) {
        this.client = client;
        this.uri = uri;
        this.lines = lines;
    }

    @Override
    public ObjectNode next() {
        if (done) {
            return null;
        }
        if (cutOff) {
            throw end(UpstreamException.Kind.CONNECTION, "ended its stream before [DONE] (cut off?)", null);
        }
        StringBuilder data = null;
        while (true) {
            LineSubscriber.Item item;
            try {
                item = lines.poll(client.idleTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw end(UpstreamException.Kind.INTERRUPTED, "interrupted while streaming", e);
            }
            switch (item) {
                case null -> throw end(UpstreamException.Kind.TIMEOUT, "sent nothing for "
                        + UpstreamClient.human(client.idleTimeout()) + " in the middle of a stream", null);
                case LineSubscriber.Failed f -> {
                    done = true;
                    lines.cancel();
                    throw client.transportFailure(uri, f.error());
                }
                case LineSubscriber.End end -> {
                    if (data != null) {
                        ObjectNode chunk = dispatch(data.toString());
                        cutOff = !done;
                        return chunk;
                    }
                    throw end(UpstreamException.Kind.CONNECTION, "ended its stream before [DONE] (cut off?)", null);
                }
                case LineSubscriber.Line line -> {
                    String text = line.text();
                    if (text.isEmpty()) {
                        if (data != null) {
                            return dispatch(data.toString());
                        }
                    } else if (text.startsWith("data:")) {
                        String value = text.substring(text.startsWith("data: ") ? 6 : 5);
                        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    }
                    // Comments (":...") and the other SSE fields (event, id, retry) carry nothing to forward.
                }
            }
        }
    }

    /** The chunk an event's data holds; null for {@code [DONE]} (then {@link #done} is set). */
    private ObjectNode dispatch(String data) {
        if (data.strip().equals(DONE)) {
            done = true;
            lines.cancel();
            return null;
        }
        JsonNode chunk;
        try {
            chunk = JSON.readTree(data);
        } catch (JsonProcessingException e) {
            throw end(UpstreamException.Kind.BAD_RESPONSE, "sent a stream event that is not JSON: "
                    + UpstreamClient.snippet(data), e);
        }
        if (chunk instanceof ObjectNode object && object.has("error")) {
            JsonNode error = object.get("error");
            String message = error.isTextual() ? error.asText() : error.path("message").asText(error.toString());
            throw end(UpstreamException.Kind.STREAM_ERROR, "sent an error in its stream: "
                    + UpstreamClient.snippet(message), null);
        }
        if (!(chunk instanceof ObjectNode object) || !object.path("choices").isArray()) {
            throw end(UpstreamException.Kind.BAD_RESPONSE, "sent a stream event that is not a completion chunk: "
                    + UpstreamClient.snippet(data), null);
        }
        return object;
    }

    private UpstreamException end(UpstreamException.Kind kind, String what, Throwable cause) {
        done = true;
        lines.cancel();
        return client.failure(uri, kind, 0, what, cause);
    }

    @Override
    public void close() {
        done = true;
        lines.cancel();
    }
}
