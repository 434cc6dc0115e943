package dev.slm.engine.llamacpp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.SlmException;
import dev.slm.engine.ChatImage;
import dev.slm.engine.ChatMessage;
import dev.slm.engine.NativeModel.NativeCompletion;
import dev.slm.engine.OpenAiCall;
import dev.slm.engine.SamplingOptions;
import java.util.List;
import java.util.Locale;

/**
 * A chat whose messages carry images, answered by llama-server's own chat handler in process: only
 * that handler renders the template with the images in place and hands them to the projector
 * (the binding's completion call takes text). The request is the body llama-server reads; the
 * answer's SSE chunks become the text pieces {@link NativeCompletion} gives.
 */
final class VisionChat {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CHAT_ROUTE = "/v1/chat/completions";
    static final String COUNT_ROUTE = "/v1/chat/completions/input_tokens";

    private VisionChat() {
    }

    /** The request body: the messages with their images as data URLs, and the sampling settings. */
    static String body(List<ChatMessage> messages, SamplingOptions s, int maxTokens, boolean stream) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("messages");
        for (ChatMessage m : messages) {
            ObjectNode message = list.addObject().put("role", m.role().name().toLowerCase(Locale.ROOT));
            if (!m.hasImages()) {
                message.put("content", m.content());
                continue;
            }
            ArrayNode parts = message.putArray("content");
            for (ChatImage image : m.images()) {
                if (!parts.isEmpty()) {
                    // llama.cpp v0.5.0 fails ("Chunk not found") when a cached prompt and a new one
                    // part exactly between two adjacent images; a newline keeps them apart.
                    parts.addObject().put("type", "text").put("text", "\n");
                }
                parts.addObject().put("type", "image_url").putObject("image_url").put("url", image.dataUrl());
            }
            parts.addObject().put("type", "text").put("text", m.content());
        }
        body.put("stream", stream);
        body.put("max_tokens", maxTokens);
        body.put("temperature", s.temperature());
        body.put("top_k", s.topK());
        body.put("top_p", s.topP());
        body.put("min_p", s.minP());
        body.put("repeat_penalty", s.repeatPenalty());
        body.put("repeat_last_n", s.repeatLastN());
        if (s.seed() >= 0) {
            body.put("seed", s.seed());
        }
        if (s.ignoreEos()) {
            body.put("ignore_eos", true);
        }
        if (s.grammar() != null) {
            body.put("grammar", s.grammar());
        } else if (s.jsonSchema() != null) {
            body.set("json_schema", parse(s.jsonSchema(), "the JSON schema"));
        }
        // The text as the model writes it: the caller matches stop strings and reads any reasoning.
        body.put("reasoning_format", "none");
        body.put("cache_prompt", true);
        return body.toString();
    }

    /** The prompt tokens llama.cpp counts for the request, images included. */
    static int countTokens(OpenAiCall call) {
        try (call) {
            JsonNode answer = answerOf(call);
            JsonNode n = answer.get("input_tokens");
            if (n == null || !n.canConvertToInt()) {
                throw new SlmException("llama.cpp did not count the prompt's tokens: " + call.body());
            }
            return n.intValue();
        }
    }

    /** Fails with llama.cpp's message (one line) when the call was refused. */
    private static JsonNode answerOf(OpenAiCall call) {
        JsonNode answer = parse(call.body(), "llama.cpp's answer");
        if (call.status() != 200) {
            throw new SlmException(refusal(answer));
        }
        return answer;
    }

    private static String refusal(JsonNode answer) {
        JsonNode error = answer.path("error");
        String message = error.path("message").asText(answer.toString());
        if (message.contains("Failed to load image")) {
            return "llama.cpp could not decode an image (is the file damaged or truncated?): send PNG, JPEG, GIF or BMP bytes";
        }
        return "llama.cpp refused the chat: " + LlamaCppModel.oneLine(message);
    }

    /** The text pieces of a streamed answer, one per SSE chunk that carries content. */
    static NativeCompletion stream(OpenAiCall call) {
        if (call.status() != 200) {
            try (call) {
                throw new SlmException(refusal(parse(call.body(), "llama.cpp's answer")));
            }
        }
        return new ChunkReader(call);
    }

    private static JsonNode parse(String text, String what) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SlmException(what + " is not valid JSON: " + LlamaCppModel.oneLine(e.getOriginalMessage()));
        }
    }

    /** Reads "data: {...}" events; "error: {...}" is a failure, "data: [DONE]" or the stream's end the end. */
    private static final class ChunkReader implements NativeCompletion {
        private final OpenAiCall call;
        private String pending;
        private boolean ended;

        ChunkReader(OpenAiCall call) {
            this.call = call;
            this.pending = call.body();
        }

        @Override
        public String next() {
            while (!ended) {
                String chunk = pending != null ? pending : call.nextChunk();
                pending = null;
                if (chunk == null) {
                    end();
                    return null;
                }
                String text = contentOf(chunk);
                if (text != null) {
                    return text;
                }
            }
            return null;
        }

        /** The content of the chunk's events, or null when they carry none. */
        private String contentOf(String chunk) {
            StringBuilder text = null;
            for (String line : chunk.split("\n")) {
                if (line.startsWith("error:")) {
                    end();
                    throw new SlmException(refusal(parse(line.substring(6).strip(), "llama.cpp's error")));
                }
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).strip();
                if (data.equals("[DONE]")) {
                    end();
                    break;
                }
                JsonNode event = parse(data, "llama.cpp's chunk");
                if (event.has("error")) {
                    end();
                    throw new SlmException(refusal(event));
                }
                JsonNode content = event.path("choices").path(0).path("delta").path("content");
                if (content.isTextual() && !content.asText().isEmpty()) {
                    text = text == null ? new StringBuilder() : text;
                    text.append(content.asText());
                }
            }
            return text == null ? null : text.toString();
        }

        private void end() {
            if (!ended) {
                ended = true;
                call.close();
            }
        }

        @Override
        public void cancel() {
            if (!ended) {
                call.cancel();
                end();
            }
        }
    }
}
