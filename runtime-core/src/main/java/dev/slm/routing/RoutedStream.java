package dev.slm.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.openai.ChunkStream;
import dev.slm.openai.OpenAiShape;
import dev.slm.openai.TokenUsage;
import dev.slm.routing.redaction.Redactions;
import dev.slm.routing.redaction.StreamRestorer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A streamed answer whose route is settled: {@link #decision()} is final before the first chunk is
 * handed out (the router already holds that chunk), so a server sends the {@value RouteDecision#HEADER}
 * header and then the chunks. A failure after that is thrown by {@link #next()}; there is no switching
 * routes mid-stream.
 *
 * <p>On the way through, redacted values the upstream echoes are restored (a placeholder split across
 * chunks is held back until it is complete), {@code usage.slm_route} is added to the usage chunk, and
 * that chunk is dropped when the client did not ask for it (the router asks for it to count tokens).
 */
public final class RoutedStream implements ChunkStream {
    private final RouteDecision decision;
    private final ChunkStream source;
    private final Redactions redactions;
    private final boolean clientWantsUsage;
    private final long promptChars;
    private final Consumer<TokenUsage> accounting;
    private final Map<Integer, StreamRestorer> restorers = new TreeMap<>();
    private final Deque<ObjectNode> ready = new ArrayDeque<>();
    private ObjectNode first;
    private ObjectNode template;
    private TokenUsage usage;
    private long completionChars;
    private boolean ended;
    private boolean accounted;

    RoutedStream(RouteDecision decision, ChunkStream source, ObjectNode first, Redactions redactions,
                 boolean clientWantsUsage, long promptChars, Consumer<TokenUsage> accounting) {
        this.decision = decision;
        this.source = source;
        this.first = first;
        this.redactions = redactions;
        this.clientWantsUsage = clientWantsUsage;
        this.promptChars = promptChars;
        this.accounting = accounting;
        this.ended = first == null;
        if (ended) {
            account();
        }
    }

    public RouteDecision decision() {
        return decision;
    }

    @Override
    public ObjectNode next() {
        while (ready.isEmpty()) {
            if (ended) {
                return null;
            }
            ObjectNode chunk = first != null ? first : source.next();
            first = null;
            if (chunk == null) {
                flushHeldText();
                ended = true;
                account();
            } else {
                pass(chunk);
            }
        }
        return ready.poll();
    }

    private void pass(ObjectNode chunk) {
        OpenAiShape.usage(chunk).ifPresent(u -> usage = u);
        if (OpenAiShape.isUsageOnlyChunk(chunk)) {
            flushHeldText();
            if (clientWantsUsage) {
                OpenAiShape.labelRoute(chunk, decision.label());
                ready.add(chunk);
            }
            return;
        }
        template = chunk;
        if (redactions != null && redactions.count() > 0) {
            OpenAiShape.rewriteChunkText(chunk, (index, text) -> restorer(index).accept(text));
            for (int index : OpenAiShape.finishedChoices(chunk)) {
                String held = restorer(index).flush();
                if (!held.isEmpty()) {
                    OpenAiShape.appendChunkText(chunk, index, held);
                }
            }
        }
        completionChars += OpenAiShape.chunkText(chunk).length();
        if (!clientWantsUsage) {
            chunk.remove("usage");
        } else if (chunk.path("usage").isObject()) {
            OpenAiShape.labelRoute(chunk, decision.label());
        }
        ready.add(chunk);
    }

    private StreamRestorer restorer(int index) {
        return restorers.computeIfAbsent(index, i -> redactions.streamRestorer());
    }

    /** Text still held back at the end (it never became a placeholder) goes out in chunks of its own. */
    private void flushHeldText() {
        restorers.forEach((index, restorer) -> {
            if (restorer.holding() && template != null) {
                String text = restorer.flush();
                completionChars += text.length();
                ready.add(OpenAiShape.textChunk(template, index, text));
            }
        });
    }

    private void account() {
        if (!accounted) {
            accounted = true;
            accounting.accept(usage != null ? usage : new TokenUsage(
                    OpenAiShape.estimateTokens(promptChars), OpenAiShape.estimateTokens(completionChars), true));
        }
    }

    /** Ends the stream early (the client went away); what was answered so far is still counted. */
    @Override
    public void close() {
        ended = true;
        ready.clear();
        source.close();
        account();
    }
}
