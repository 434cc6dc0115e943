package dev.slm.engine.llamacpp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.SlmException;
import dev.slm.engine.ChatMessage;
import dev.slm.engine.DraftModel;
import dev.slm.engine.LoraAdapter;
import dev.slm.engine.ModelOptions;
import dev.slm.engine.NativeModel;
import dev.slm.engine.OpenAiCall;
import dev.slm.engine.SamplingOptions;
import dev.slm.gguf.GgmlType;
import dev.slm.gguf.GgufException;
import dev.slm.gguf.GgufFile;
import dev.slm.gguf.GgufReader;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;
import de.kherud.llama.args.CacheType;
import de.kherud.llama.args.PoolingType;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NativeModel} over java-llama.cpp: the only class that talks to the binding's model.
 * The binding's exception type is not public, so its failures arrive here as RuntimeException.
 */
public final class LlamaCppModel implements NativeModel {
    private static final Logger log = LoggerFactory.getLogger(LlamaCppModel.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LlamaModel model;
    private Runnable stopGoverning = () -> { };

    private LlamaCppModel(LlamaModel model) {
        this.model = model;
    }

    /** Loads a model whose header was already validated; {@code options} has its defaults resolved. */
    public static LlamaCppModel load(GgufFile gguf, ModelOptions options) {
        return load(gguf, options, Optional.empty());
    }

    public static LlamaCppModel load(GgufFile gguf, ModelOptions options, Optional<Path> nativeLibraryDir) {
        LlamaNativeLibrary.load(nativeLibraryDir);
        ModelParameters p = new ModelParameters()
                .setModel(gguf.path().toString())
                // llama.cpp splits its context between slots: each slot gets the context asked for.
                .setCtxSize(options.contextSize() * options.parallel())
                .setParallel(options.parallel())
                .setThreads(options.effectiveThreads())
                .setThreadsBatch(options.effectiveThreads())
                .setBatchSize(options.batchSize())
                .setUbatchSize(options.effectiveUbatchSize())
                // Context shift would silently drop the start of a conversation; slm stops at a full context instead.
                .disableContextShift()
                // llama.cpp's warm-up runs on the loading thread; decoding runs on the binding's worker.
                // Two OpenMP thread teams then fight over the cores (2 threads: ~1.9 ms/token instead of
                // ~0.4 on the fixture model), so the warm-up is skipped and redone on the worker below.
                .skipWarmup();
        if (options.gpuLayers() != 0 && !LlamaNativeLibrary.pluginsWithoutDevice()) {
            // Only when asked: a CPU-only build prints a warning for any --gpu-layers, even 0.
            p.setGpuLayers(options.gpuLayers() == -1 ? 999 : options.gpuLayers());
        }
        if (options.seed() >= 0) {
            p.setSeed(options.seed());
        }
        if (options.flashAttention()) {
            p.enableFlashAttn();
        }
        if (options.kvCacheType() != GgmlType.F16) {
            // The binding's CacheType names are ggml's type names.
            p.setCacheTypeK(CacheType.valueOf(options.kvCacheType().name()));
            p.setCacheTypeV(CacheType.valueOf(options.kvCacheType().name()));
        }
        if (!options.mmap()) {
            p.disableMmap();
        }
        if (options.mlock()) {
            p.enableMlock();
        }
        if (options.chatTemplate() != null) {
            // llama.cpp checks it while parsing the flags: a template it cannot run fails the load in one line.
            p.setChatTemplate(options.chatTemplate());
        }
        if (!options.adapters().isEmpty()) {
            requireOwnBuild("a LoRA adapter");
            BindingFlags.put(p, "--lora-scaled", loraArgument(options.adapters()));
        }
        if (options.embeddings()) {
            p.enableEmbedding();
            if (gguf.integer(gguf.architecture() + ".pooling_type").isEmpty()) {
                // Without a pooling type llama.cpp returns one vector per token and the binding
                // hands back the first (the BOS token's, the same for every text). Pool on the last
                // token, as decoder embedding models do; MEAN aborts the process in b4916
                // (GGML_ASSERT ggml_can_mul_mat), measured on the fixture model.
                p.setPoolingType(PoolingType.LAST);
            }
        }
        if (options.visionProjector().isPresent()) {
            requireOwnBuild("a vision projector");
            BindingFlags.put(p, "--mmproj", options.visionProjector().get().toString());
        }
        if (options.draftModel().isPresent()) {
            requireOwnBuild("a draft model");
            DraftModel draft = options.draftModel().get();
            try {
                GgufReader.read(draft.path());
            } catch (GgufException e) {
                throw new SlmException("the draft model " + draft.path() + " is not a usable GGUF model: " + e.getMessage());
            }
            BindingFlags.put(p, "--spec-draft-model", draft.path().toString());
            // v0.5.0 loads a draft file without using it unless the kind is named (measured:
            // DraftModelTest saw no draft_n in llama.cpp's timings without this flag).
            BindingFlags.put(p, "--spec-type", "draft-simple");
            if (options.gpuLayers() != 0) {
                // The draft sits beside its model: on the GPU when the model is. (Not set without
                // layers to offload: a CPU-only llama.cpp prints three warning lines for the flag.)
                BindingFlags.put(p, "--spec-draft-ngl", options.gpuLayers() == -1 ? "all" : Integer.toString(options.gpuLayers()));
            }
            if (draft.maxTokens() > 0) {
                BindingFlags.put(p, "--spec-draft-n-max", Integer.toString(draft.maxTokens()));
            }
        }
        if (options.nativeLogs()) {
            NativeStderrCapture.install();
            // llama.cpp's default threshold (info) hides the loader's and the slots' lines; trace
            // (4) shows them without the per-token debug lines (5).
            p.setLogVerbosity(4);
        } else {
            p.disableLog();
        }
        long start = System.nanoTime();
        LlamaModel model;
        try {
            model = new LlamaModel(p);
        } catch (RuntimeException e) {
            if (options.draftModel().isPresent()) {
                throw new SlmException("llama.cpp could not load " + gguf.path() + " with the draft model "
                        + options.draftModel().get().path() + ": " + oneLine(e.getMessage())
                        + " (a draft must share the model's vocabulary: a smaller model of the same family)");
            }
            if (options.visionProjector().isPresent()) {
                throw new SlmException("llama.cpp could not load " + gguf.path() + " with the vision projector "
                        + options.visionProjector().get() + ": " + oneLine(e.getMessage())
                        + " (the projector must be made for this model; run with -v to see llama.cpp's reason)");
            }
            throw new SlmException("llama.cpp could not load " + gguf.path() + ": " + oneLine(e.getMessage())
                    + " (is the architecture '" + gguf.architecture() + "' supported by llama.cpp "
                    + NativeBuild.current().release() + "?)");
        }
        LlamaCppModel loaded = new LlamaCppModel(model);
        if (!options.embeddings()) {
            loaded.warmUp();
        }
        if (options.adaptThreads() && options.effectiveThreads() > 1 && LlamaNativeLibrary.ownBuildLoaded()) {
            ThreadGovernor.forThisProcess().ifPresent(g -> loaded.stopGoverning = g.watch(model, options.effectiveThreads()));
        }
        log.debug("loaded {} in {} ms", gguf.path(), (System.nanoTime() - start) / 1_000_000);
        return loaded;
    }

    /**
     * The binding's addLoraScaledAdapter writes b4916's {@code PATH,SCALE}, which llama.cpp v0.5.0
     * refuses, and its map holds one value per flag: slm's library reads the binding's form, one
     * adapter per line (jllama.cpp take_binding_loras), so any number of adapters, any path.
     */
    private static String loraArgument(List<LoraAdapter> adapters) {
        StringBuilder value = new StringBuilder();
        for (int i = 0; i < adapters.size(); i++) {
            LoraAdapter a = adapters.get(i);
            value.append(i == 0 ? "" : "\n").append(a.path().toAbsolutePath()).append(',').append(a.scale());
        }
        return value.toString();
    }

    /** One token through the worker thread: pages the weights in and starts its thread team. */
    private void warmUp() {
        NativeCompletion c = complete("\n", SamplingOptions.greedy(), 1);
        while (c.next() != null) {
            // drain
        }
    }

    @Override
    public int[] tokenize(String text) {
        return model.encode(text);
    }

    @Override
    public String renderChat(List<ChatMessage> messages) {
        if (messages.stream().anyMatch(ChatMessage::hasImages)) {
            throw new SlmException("a conversation with images has no text-only prompt: count it with countChatTokens");
        }
        String system = null;
        List<Pair<String, String>> turns = new ArrayList<>();
        for (ChatMessage m : messages) {
            switch (m.role()) {
                case SYSTEM -> {
                    if (!turns.isEmpty() || system != null) {
                        throw new SlmException("a system message may only open the conversation");
                    }
                    system = m.content();
                }
                case USER -> turns.add(new Pair<>("user", m.content()));
                case ASSISTANT -> turns.add(new Pair<>("assistant", m.content()));
            }
        }
        return model.applyTemplate(new InferenceParameters("").setMessages(system, turns));
    }

    @Override
    public NativeCompletion complete(String prompt, SamplingOptions s, int maxTokens) {
        InferenceParameters p = new InferenceParameters(prompt)
                .setTemperature(s.temperature())
                .setTopK(s.topK())
                .setTopP(s.topP())
                .setMinP(s.minP())
                .setRepeatPenalty(s.repeatPenalty())
                .setRepeatLastN(s.repeatLastN())
                .setNPredict(maxTokens)
                .setCachePrompt(true);
        if (s.ignoreEos()) {
            p.setIgnoreEos(true);
        }
        if (s.seed() >= 0) {
            p.setSeed((int) s.seed());
        }
        if (s.grammar() != null) {
            p.setGrammar(s.grammar());
        } else if (s.jsonSchema() != null) {
            p.setGrammar(grammarFor(s.jsonSchema()));
        }
        LlamaIterator iterator;
        try {
            iterator = model.generate(p).iterator();
        } catch (RuntimeException e) {
            throw new SlmException("llama.cpp rejected the request: " + oneLine(e.getMessage()));
        }
        return new Completion(iterator);
    }

    /** llama.cpp's converter aborts the process on some malformed input: check the JSON first. */
    private static String grammarFor(String schema) {
        JsonNode node;
        try {
            node = JSON.readTree(schema);
        } catch (JsonProcessingException e) {
            throw new SlmException("the JSON schema is not valid JSON: " + oneLine(e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new SlmException("the JSON schema must be a JSON object");
        }
        try {
            return LlamaModel.jsonSchemaToGrammar(node.toString());
        } catch (RuntimeException e) {
            throw new SlmException("llama.cpp cannot turn this JSON schema into a grammar: " + oneLine(e.getMessage()));
        }
    }

    @Override
    public float[] embed(String text) {
        try {
            return model.embed(text);
        } catch (RuntimeException e) {
            throw new SlmException("embedding failed: " + oneLine(e.getMessage()));
        }
    }

    @Override
    public OpenAiCall openAi(String route, String jsonBody) {
        requireOwnBuild("this");
        return new ServerRouteCall(SlmNative.oaiStart(model, route, jsonBody));
    }

    @Override
    public int countChatTokens(List<ChatMessage> messages) {
        return VisionChat.countTokens(openAi(VisionChat.COUNT_ROUTE,
                VisionChat.body(messages, SamplingOptions.greedy(), 1, false)));
    }

    @Override
    public NativeCompletion completeChat(List<ChatMessage> messages, SamplingOptions sampling, int maxTokens) {
        return VisionChat.stream(openAi(VisionChat.CHAT_ROUTE, VisionChat.body(messages, sampling, maxTokens, true)));
    }

    private static void requireOwnBuild(String what) {
        if (!LlamaNativeLibrary.ownBuildLoaded()) {
            throw new SlmException(what + " needs slm's own llama.cpp library; " + NativeBuild.current().describe());
        }
    }

    /** The CPU threads llama.cpp computes with now; 0 where the library cannot change them. */
    int threadsInUse() {
        return LlamaNativeLibrary.ownBuildLoaded() ? SlmNative.threadsInUse(model) : 0;
    }

    /** Asks for {@code threads} CPU threads from the next graph on, as {@link ThreadGovernor} does. */
    void useThreads(int threads) {
        requireOwnBuild("changing the thread count");
        SlmNative.setThreads(model, threads);
    }

    LlamaModel binding() {
        return model;
    }

    @Override
    public void close() {
        stopGoverning.run(); // first: the governor must not hand a count to a closed model
        model.close();
    }

    /** {@link OpenAiCall} over SlmNative's handle. */
    private static final class ServerRouteCall implements OpenAiCall {
        private final long handle;
        private boolean closed;

        ServerRouteCall(long handle) {
            this.handle = handle;
        }

        @Override
        public int status() {
            return SlmNative.oaiStatus(handle);
        }

        @Override
        public boolean streaming() {
            return SlmNative.oaiIsStream(handle);
        }

        @Override
        public String body() {
            return new String(SlmNative.oaiBody(handle), StandardCharsets.UTF_8);
        }

        @Override
        public String nextChunk() {
            byte[] chunk;
            try {
                chunk = SlmNative.oaiNext(handle);
            } catch (RuntimeException e) {
                throw new SlmException("llama.cpp failed while generating: " + oneLine(e.getMessage()));
            }
            return chunk == null ? null : new String(chunk, StandardCharsets.UTF_8);
        }

        @Override
        public void cancel() {
            SlmNative.oaiCancel(handle);
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                SlmNative.oaiClose(handle);
            }
        }
    }

    static String oneLine(String s) {
        return s == null ? "unknown error" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static final class Completion implements NativeCompletion {
        private final LlamaIterator iterator;
        private boolean ended;

        Completion(LlamaIterator iterator) {
            this.iterator = iterator;
        }

        @Override
        public String next() {
            if (ended || !iterator.hasNext()) {
                ended = true;
                return null;
            }
            LlamaOutput out;
            try {
                out = iterator.next();
            } catch (RuntimeException e) {
                ended = true;
                throw new SlmException("llama.cpp failed while generating: " + oneLine(e.getMessage()));
            }
            if (!iterator.hasNext()) {
                // The binding's last output marks the end; in streaming mode its text is empty.
                ended = true;
                return out.text.isEmpty() ? null : out.text;
            }
            return out.text;
        }

        @Override
        public void cancel() {
            if (!ended) {
                ended = true;
                iterator.cancel();
            }
        }
    }
}
