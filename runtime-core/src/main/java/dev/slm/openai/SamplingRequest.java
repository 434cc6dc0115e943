package dev.slm.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.slm.engine.SamplingOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The sampling fields shared by chat and text completions, OpenAI's names plus llama.cpp's
 * ({@code top_k}, {@code min_p}, {@code repeat_penalty}), turned into {@link SamplingOptions}.
 * Unset fields keep llama.cpp's defaults. {@code response_format} becomes a grammar: a generic JSON
 * grammar for {@code json_object}, the given schema for {@code json_schema}.
 */
final class SamplingRequest {
    static final String JSON_GRAMMAR = loadJsonGrammar();
    private static final int MAX_STOP_STRINGS = 16;

    private SamplingRequest() {
    }

    /** @param maxTokensCap the most tokens a request may ask for, and the default; {@link OpenAiRequest#NO_TOKEN_CAP} for none */
    static SamplingOptions parse(RequestFields f, int maxTokensCap) {
        f.unsupported("logit_bias", "slm cannot bias tokens");
        f.unsupported("tools", "slm serves plain chat, without tool calls");
        f.unsupported("functions", "slm serves plain chat, without function calls");
        for (String name : List.of("n", "best_of")) {
            Long n = f.integer(name, 1, 128);
            if (n != null && n != 1) {
                throw InvalidRequestException.unsupported(name,
                        "'" + name + "' must be 1: slm returns one choice per request");
            }
        }
        Double presence = f.number("presence_penalty", -2, 2);
        Double frequency = f.number("frequency_penalty", -2, 2);
        if ((presence != null && presence != 0) || (frequency != null && frequency != 0)) {
            throw InvalidRequestException.unsupported(presence != null && presence != 0 ? "presence_penalty" : "frequency_penalty",
                    "presence and frequency penalties are not supported: use repeat_penalty (llama.cpp's) instead");
        }

        SamplingOptions s = SamplingOptions.defaults();
        Double temperature = f.number("temperature", 0, 2);
        if (temperature != null) {
            s = s.withTemperature(temperature.floatValue());
        }
        Double topP = f.number("top_p", 0, 1);
        if (topP != null) {
            s = s.withTopP(topP.floatValue());
        }
        Long topK = f.integer("top_k", 0, 1_000_000);
        if (topK != null) {
            s = s.withTopK(topK.intValue());
        }
        Double minP = f.number("min_p", 0, 1);
        if (minP != null) {
            s = s.withMinP(minP.floatValue());
        }
        Double repeat = f.number("repeat_penalty", 0.01, 10);
        if (repeat != null) {
            s = s.withRepeatPenalty(repeat.floatValue());
        }
        Long seed = f.integer("seed", -1, Integer.MAX_VALUE);
        if (seed != null) {
            s = s.withSeed(seed);
        }
        boolean capped = maxTokensCap != OpenAiRequest.NO_TOKEN_CAP;
        long most = capped ? maxTokensCap : Integer.MAX_VALUE;
        Long maxTokens = f.integer("max_completion_tokens", 1, most);
        if (maxTokens == null) {
            maxTokens = f.integer("max_tokens", 1, most);
        }
        if (maxTokens != null) {
            s = s.withMaxTokens(maxTokens.intValue());
        } else if (capped) {
            s = s.withMaxTokens(maxTokensCap);
        }
        s = s.withStop(stops(f));
        return responseFormat(f, s);
    }

    private static List<String> stops(RequestFields f) {
        JsonNode stop = f.raw("stop");
        if (stop == null) {
            return List.of();
        }
        if (stop.isTextual()) {
            if (stop.textValue().isEmpty()) {
                throw InvalidRequestException.invalid("stop", "'stop' must not be an empty string");
            }
            return List.of(stop.textValue());
        }
        ArrayNode array = f.array("stop");
        if (array.size() > MAX_STOP_STRINGS) {
            throw InvalidRequestException.invalid("stop", "'stop' may hold at most " + MAX_STOP_STRINGS + " strings, got " + array.size());
        }
        List<String> stops = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode s = array.get(i);
            if (!s.isTextual() || s.textValue().isEmpty()) {
                throw InvalidRequestException.invalid("stop[" + i + "]", "'stop[" + i + "]' must be a non-empty string, got " + RequestFields.kind(s));
            }
            stops.add(s.textValue());
        }
        return stops;
    }

    private static SamplingOptions responseFormat(RequestFields f, SamplingOptions s) {
        RequestFields format = f.object("response_format");
        if (format == null) {
            return s;
        }
        String type = format.requiredString("type");
        return switch (type) {
            case "text" -> s;
            case "json_object" -> s.withGrammar(JSON_GRAMMAR);
            case "json_schema" -> {
                RequestFields jsonSchema = format.object("json_schema");
                if (jsonSchema == null) {
                    throw InvalidRequestException.missing("response_format.json_schema",
                            "'response_format.json_schema' is required when type is json_schema");
                }
                jsonSchema.string("name");
                jsonSchema.bool("strict");
                RequestFields schema = jsonSchema.object("schema");
                if (schema == null) {
                    throw InvalidRequestException.missing("response_format.json_schema.schema", "'response_format.json_schema.schema' is required");
                }
                JsonSchemaCheck.check(jsonSchema.raw("schema"));
                yield s.withJsonSchema(jsonSchema.raw("schema").toString());
            }
            default -> throw InvalidRequestException.invalid("response_format.type",
                    "'response_format.type' must be text, json_object or json_schema, got '" + type + "'");
        };
    }

    private static String loadJsonGrammar() {
        try (InputStream in = SamplingRequest.class.getResourceAsStream("json.gbnf")) {
            if (in == null) {
                throw new IllegalStateException("json.gbnf is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
