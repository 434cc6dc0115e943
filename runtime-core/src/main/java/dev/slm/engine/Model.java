package dev.slm.engine;

import dev.slm.SlmException;
import dev.slm.engine.llamacpp.LlamaCppModel;
import dev.slm.gguf.GgmlType;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A loaded GGUF model: generate text, chat, embed.
 *
 * <p>Thread safety: every method may be called from several threads at once. Generations run in
 * llama.cpp's slots ({@link ModelOptions#parallel()} of them at a time); further requests wait in
 * its queue. Concurrent generations never see each other's tokens. With one slot a greedy answer
 * is the same whatever else runs; with several, requests are decoded in one batch, whose rounding
 * differs from a single request's, so a greedy answer may take another near-tie token (as with
 * llama.cpp's own server).
 *
 * <p>Memory: {@link #close()} stops the model's work, ends its native worker thread and frees the
 * weights and the context, with slm's own native library (the binding's own b4916 library, still
 * used where slm has no build of its own, frees neither: upstream issue #102).
 */
public final class Model implements AutoCloseable {
    private final GgufFile info;
    private final ModelOptions options;
    private final NativeModel nativeModel;

    Model(GgufFile info, ModelOptions options, NativeModel nativeModel) {
        this.info = info;
        this.options = options;
        this.nativeModel = nativeModel;
    }

    /**
     * Validates the file's header, then loads it through llama.cpp.
     *
     * @throws SlmException with a one-line message for a missing, unreadable, truncated or non-GGUF
     *                      file, for a context size the model does not allow and for a LoRA adapter
     *                      that is not one or does not fit the model.
     */
    public static Model open(Path path, ModelOptions options) {
        return open(GgufReader.read(path), options);
    }

    /**
     * Loads a model whose header was read already (to plan its memory first, for example).
     *
     * @throws SlmException for a context size the model does not allow.
     */
    public static Model open(GgufFile info, ModelOptions options) {
        long trained = ModelOptions.trainedContext(info.contextLength());
        int context = options.contextSize() == 0
                ? ModelOptions.defaultContextSize(info.contextLength(), ModelOptions.DEFAULT_CONTEXT_CAP) : options.contextSize();
        if (context > trained) {
            throw new SlmException("context size " + context + " is larger than this model allows (" + trained
                    + " tokens): use a context of " + trained + " or less");
        }
        requireKvCacheFits(info, options.kvCacheType());
        options.visionProjector().ifPresent(Model::requireProjectorFile);
        options.adapters().forEach(a -> a.checkFits(info));
        ModelOptions effective = options.withContextSize(context).withThreads(options.effectiveThreads());
        return new Model(info, effective, LlamaCppModel.load(info, effective, effective.customNativeLibrary()));
    }

    /** A one-line error for a projector file that is missing, damaged or no projector at all. */
    private static void requireProjectorFile(Path projector) {
        GgufFile header;
        try {
            header = GgufReader.read(projector);
        } catch (SlmException e) {
            throw new SlmException("the vision projector: " + e.getMessage(), e);
        }
        if (!"clip".equals(header.architecture())) {
            throw new SlmException(projector + " is not a vision projector (its architecture is '" + header.architecture()
                    + "', a projector's is 'clip'): give the mmproj file made for this model");
        }
    }

    /**
     * A quantized KV cache stores each head's keys and values in blocks of 32; llama.cpp aborts the
     * whole process (GGML_ASSERT) when a head is not a whole number of blocks, so it is checked here.
     */
    private static void requireKvCacheFits(GgufFile info, GgmlType type) {
        int block = type.blockSize();
        for (Optional<Long> size : List.of(info.attentionKeyLength(), info.attentionValueLength())) {
            if (block > 1 && size.isPresent() && size.get() % block != 0) {
                throw new SlmException("this model's attention heads hold " + size.get() + " values, not a multiple of "
                        + block + " as a " + type + " KV cache needs: use an F16 KV cache");
            }
        }
    }

    /** Whether chats go through a template of the model's: the file's, or one given when it was opened. */
    public boolean hasChatTemplate() {
        return options.chatTemplate() != null || info.chatTemplate().isPresent();
    }

    /** The file's header: architecture, quantization, context length, chat template... */
    public GgufFile info() {
        return info;
    }

    /** The options in force, with defaults resolved (context size, threads). */
    public ModelOptions options() {
        return options;
    }

    /** Continues {@code prompt}; tokens stream from the returned generation. */
    public Generation generate(String prompt, SamplingOptions sampling) {
        requirePrompt(prompt);
        int promptTokens = countTokens(prompt);
        int room = options.contextSize() - promptTokens;
        if (room <= 0) {
            throw new ContextOverflowException("the prompt is " + promptTokens + " tokens but the context holds "
                    + options.contextSize() + ": shorten the prompt or raise the context size", promptTokens, options.contextSize());
        }
        int maxTokens = sampling.maxTokens() == -1 ? room : Math.min(sampling.maxTokens(), room);
        if (sampling.grammar() != null) {
            GbnfGrammar.validate(sampling.grammar());
        }
        return Generation.start(nativeModel, prompt, sampling, promptTokens, maxTokens);
    }

    /** Fails with the one-line message for an empty prompt; callers can check before loading a model. */
    public static void requirePrompt(String prompt) {
        if (prompt == null || prompt.isBlank()) {
            throw new SlmException("the prompt is empty: give the model some text to continue");
        }
    }

    /**
     * Answers the last message of a conversation, rendered with the model's chat template. Messages
     * may carry images when the model was opened with a vision projector.
     *
     * @throws SlmException for images without a projector, and for image bytes llama.cpp cannot decode
     */
    public Generation chat(List<ChatMessage> messages, SamplingOptions sampling) {
        if (messages.isEmpty()) {
            throw new SlmException("the conversation is empty: add at least one user message");
        }
        if (!hasImages(messages)) {
            return generate(renderChat(messages), sampling);
        }
        int promptTokens = countChatTokens(messages);
        int room = options.contextSize() - promptTokens;
        if (room <= 0) {
            throw new ContextOverflowException("the prompt with its images is " + promptTokens + " tokens but the context holds "
                    + options.contextSize() + ": use fewer images, shorten the prompt or raise the context size",
                    promptTokens, options.contextSize());
        }
        int maxTokens = sampling.maxTokens() == -1 ? room : Math.min(sampling.maxTokens(), room);
        if (sampling.grammar() != null) {
            GbnfGrammar.validate(sampling.grammar());
        }
        return Generation.start(() -> nativeModel.completeChat(messages, sampling, maxTokens), sampling,
                promptTokens, maxTokens);
    }

    /** Whether this model was opened with a vision projector, so that chat messages can carry images. */
    public boolean seesImages() {
        return options.visionProjector().isPresent();
    }

    /**
     * The prompt tokens of a conversation as the model sees it: rendered with its chat template,
     * each image counted as the positions its embeddings take.
     */
    public int countChatTokens(List<ChatMessage> messages) {
        if (!hasImages(messages)) {
            return countTokens(renderChat(messages));
        }
        if (!seesImages()) {
            throw new SlmException("this model was opened without a vision projector, so it cannot see images: "
                    + "use a vision model (slm list --available) or give its projector with --mmproj");
        }
        return nativeModel.countChatTokens(messages);
    }

    private static boolean hasImages(List<ChatMessage> messages) {
        return messages.stream().anyMatch(ChatMessage::hasImages);
    }

    /** A conversation that keeps its history; each turn reuses the KV cache of the previous ones. */
    public ChatSession newChat(String systemPrompt) {
        return new ChatSession(this, systemPrompt);
    }

    /**
     * The conversation as the prompt the model sees. Uses the template stored in the GGUF file;
     * llama.cpp falls back to ChatML for a model that has none.
     */
    public String renderChat(List<ChatMessage> messages) {
        return nativeModel.renderChat(messages);
    }

    /** Prompt tokens as llama.cpp counts them: the text's tokens plus the BOS token the model adds. */
    public int countTokens(String text) {
        return nativeModel.tokenize(text).length + (info.addsBosToken() ? 1 : 0);
    }

    public int[] tokenize(String text) {
        return nativeModel.tokenize(text);
    }

    /** An embedding of {@code text}. The model must have been opened with {@link ModelOptions#embeddings()}. */
    public float[] embed(String text) {
        if (!options.embeddings()) {
            throw new SlmException("this model was opened without embeddings: open it with embeddings enabled");
        }
        if (text == null || text.isEmpty()) {
            throw new SlmException("the text to embed is empty");
        }
        return nativeModel.embed(text);
    }

    /**
     * An OpenAI-style request ({@code /v1/chat/completions}, {@code /v1/completions}, {@code /v1/responses},
     * {@code /v1/embeddings}) answered by llama.cpp's own server code for this model: tools and
     * tool-call parsing, response formats, penalties, log-probabilities, as llama-server does them.
     * Needs slm's own native library.
     */
    public OpenAiCall openAi(String route, String jsonBody) {
        return nativeModel.openAi(route, jsonBody);
    }

    /** Stops the model's native work and frees its memory (see the class comment). */
    @Override
    public void close() {
        nativeModel.close();
    }
}
