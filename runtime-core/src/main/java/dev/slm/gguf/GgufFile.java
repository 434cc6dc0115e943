package dev.slm.gguf;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a GGUF file's header says about the model: metadata, tensor layout, and the figures slm uses
 * to validate a file before handing it to llama.cpp and to plan memory.
 */
public record GgufFile(Path path, long fileSize, int version, Map<String, Object> metadata,
                       List<GgufTensor> tensors, long dataOffset) {

    /** Names llama.cpp gives {@code general.file_type} values (enum llama_ftype). */
    private static final Map<Integer, String> FILE_TYPES = Map.ofEntries(
            Map.entry(0, "F32"), Map.entry(1, "F16"), Map.entry(2, "Q4_0"), Map.entry(3, "Q4_1"),
            Map.entry(7, "Q8_0"), Map.entry(8, "Q5_0"), Map.entry(9, "Q5_1"), Map.entry(10, "Q2_K"),
            Map.entry(11, "Q3_K_S"), Map.entry(12, "Q3_K_M"), Map.entry(13, "Q3_K_L"),
            Map.entry(14, "Q4_K_S"), Map.entry(15, "Q4_K_M"), Map.entry(16, "Q5_K_S"),
            Map.entry(17, "Q5_K_M"), Map.entry(18, "Q6_K"), Map.entry(19, "IQ2_XXS"),
            Map.entry(20, "IQ2_XS"), Map.entry(21, "Q2_K_S"), Map.entry(22, "IQ3_XS"),
            Map.entry(23, "IQ3_XXS"), Map.entry(24, "IQ1_S"), Map.entry(25, "IQ4_NL"),
            Map.entry(26, "IQ3_S"), Map.entry(27, "IQ3_M"), Map.entry(28, "IQ2_S"),
            Map.entry(29, "IQ2_M"), Map.entry(30, "IQ4_XS"), Map.entry(31, "IQ1_M"),
            Map.entry(32, "BF16"), Map.entry(36, "TQ1_0"), Map.entry(37, "TQ2_0"));

    public Optional<String> string(String key) {
        return metadata.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    public Optional<Long> integer(String key) {
        return metadata.get(key) instanceof Number n && !(n instanceof Float || n instanceof Double)
                ? Optional.of(n.longValue()) : Optional.empty();
    }

    public Optional<Boolean> flag(String key) {
        return metadata.get(key) instanceof Boolean b ? Optional.of(b) : Optional.empty();
    }

    public String architecture() {
        return string("general.architecture").orElse("unknown");
    }

    public Optional<String> name() {
        return string("general.name");
    }

    private Optional<Long> archInteger(String suffix) {
        return integer(architecture() + "." + suffix);
    }

    /** The context length the model was trained for. */
    public Optional<Long> contextLength() {
        return archInteger("context_length");
    }

    public Optional<Long> blockCount() {
        return archInteger("block_count");
    }

    public Optional<Long> embeddingLength() {
        return archInteger("embedding_length");
    }

    public Optional<Long> headCount() {
        return archInteger("attention.head_count");
    }

    /** Key/value heads; equal to the head count when the model does not use grouped-query attention. */
    public Optional<Long> headCountKv() {
        return archInteger("attention.head_count_kv").or(this::headCount);
    }

    /** Values per attention head in the keys: attention.key_length, else the embedding split over the heads. */
    public Optional<Long> attentionKeyLength() {
        return archInteger("attention.key_length").or(this::headSize);
    }

    /** Values per attention head in the values: attention.value_length, else the embedding split over the heads. */
    public Optional<Long> attentionValueLength() {
        return archInteger("attention.value_length").or(this::headSize);
    }

    private Optional<Long> headSize() {
        return embeddingLength().flatMap(e -> headCount().filter(h -> h > 0).map(h -> e / h));
    }

    public Optional<String> chatTemplate() {
        return string("tokenizer.chat_template");
    }

    public Optional<String> tokenizerModel() {
        return string("tokenizer.ggml.model");
    }

    /** Whether llama.cpp puts a BOS token before a prompt; its default for the SentencePiece tokenizer is yes. */
    public boolean addsBosToken() {
        return flag("tokenizer.ggml.add_bos_token").orElse("llama".equals(tokenizerModel().orElse("")));
    }

    public Optional<Long> vocabularySize() {
        return metadata.get("tokenizer.ggml.tokens") instanceof GgufArray a ? Optional.of(a.length()) : Optional.empty();
    }

    /** Quantization label such as Q4_K_M, from general.file_type, else the most common tensor type. */
    public String quantization() {
        Optional<Long> fileType = integer("general.file_type");
        if (fileType.isPresent() && FILE_TYPES.containsKey(fileType.get().intValue())) {
            return FILE_TYPES.get(fileType.get().intValue());
        }
        return tensors.stream()
                .collect(java.util.stream.Collectors.groupingBy(GgufTensor::type,
                        java.util.stream.Collectors.summingLong(GgufTensor::byteSize)))
                .entrySet().stream().max(Map.Entry.comparingByValue())
                .map(e -> e.getKey().name()).orElse("unknown");
    }

    /** Number of weights, counted from the tensor shapes. */
    public long parameterCount() {
        return tensors.stream().mapToLong(GgufTensor::elementCount).sum();
    }

    /** Bytes of tensor data: what loading the weights costs in memory. */
    public long tensorBytes() {
        return tensors.stream().mapToLong(GgufTensor::byteSize).sum();
    }
}
