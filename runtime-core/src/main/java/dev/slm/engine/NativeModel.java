package dev.slm.engine;

import java.util.List;

/**
 * The one seam between slm and the native inference library. Everything above it (stop strings,
 * usage, timings, streaming, chat history) is plain Java; everything below it is the binding.
 * Implementations must allow calls from several threads at once.
 */
public interface NativeModel extends AutoCloseable {

    /** Token ids of {@code text}, without the BOS token the model adds to prompts. */
    int[] tokenize(String text);

    /** The conversation rendered with the model's chat template, ending where the assistant's answer begins. */
    String renderChat(List<ChatMessage> messages);

    /**
     * Starts generating a continuation of {@code prompt}. Stop strings are not passed down: the caller
     * matches them, so that it knows exactly why a generation stopped.
     */
    NativeCompletion complete(String prompt, SamplingOptions sampling, int maxTokens);

    /**
     * The prompt tokens of a conversation whose messages carry images, the images' positions
     * included, as the model's vision projector turns them into embeddings. Decodes the images:
     * bytes that are no image fail here, before any generation.
     */
    int countChatTokens(List<ChatMessage> messages);

    /**
     * Starts answering a conversation whose messages carry images: llama.cpp's own chat handler
     * renders the template with the images in place and runs them through the projector.
     */
    NativeCompletion completeChat(List<ChatMessage> messages, SamplingOptions sampling, int maxTokens);

    /** An embedding vector of {@code text}; the model must have been opened for embeddings. */
    float[] embed(String text);

    /** A request handled by llama.cpp's own server code ({@link OpenAiCall}); {@code route} is its path. */
    OpenAiCall openAi(String route, String jsonBody);

    /** Stops the model's work and releases its memory; see {@link Model#close()}. */
    @Override
    void close();

    /** One running completion: pieces of text, one per generated token, until it ends. */
    interface NativeCompletion {
        /** The next token's text (possibly empty), or null once generation has ended. Blocks until then. */
        String next();

        /** Asks the native side to stop; call it only from the thread that calls {@link #next()}. */
        void cancel();
    }
}
