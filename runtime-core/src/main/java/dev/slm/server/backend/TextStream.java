package dev.slm.server.backend;

import dev.slm.engine.Completion;
import dev.slm.engine.GenerationEvent;

/**
 * A generation being answered by a backend: {@link GenerationEvent.Token}s, then one {@link Completion}.
 * {@link #close()} must always be called; it cancels a generation that has not ended and frees what
 * it held (its slot).
 */
public interface TextStream extends AutoCloseable {

    /**
     * The next event; blocks until it comes.
     *
     * @throws BackendException when the generation fails, its backend goes away, or the request's deadline passes
     */
    GenerationEvent next();

    /** Asks the backend to stop; the stream then ends with a completion whose stop reason is CANCELLED. */
    void cancel();

    @Override
    void close();
}
