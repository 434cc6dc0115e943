package dev.slm.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.slm.engine.SamplingOptions;
import dev.slm.server.ApiException;
import dev.slm.server.backend.Backend;
import dev.slm.server.backend.ModelRouter;
import dev.slm.server.backend.Prompt;
import dev.slm.server.backend.TextRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/** {@code POST /v1/completions}: continues a raw prompt. */
final class CompletionsEndpoint implements Endpoint {
    private final ModelRouter router;
    private final GenerationResponder responder;
    private final int maxTokens;
    private final Duration timeout;

    CompletionsEndpoint(ModelRouter router, GenerationResponder responder, int maxTokens, Duration timeout) {
        this.router = router;
        this.responder = responder;
        this.maxTokens = maxTokens;
        this.timeout = timeout;
    }

    @Override
    public void handle(ApiExchange ex) throws IOException {
        long start = System.nanoTime();
        RequestFields f = new RequestFields(ex.readJsonObject());
        String model = f.requiredString("model");
        String prompt = prompt(f);
        f.unsupported("echo", "slm does not echo the prompt");
        f.unsupported("suffix", "slm does not fill in the middle");
        f.unsupported("logprobs", "slm does not return log probabilities");
        boolean stream = f.bool("stream", false);
        RequestFields options = f.object("stream_options");
        boolean includeUsage = options != null && options.bool("include_usage", false);
        SamplingOptions sampling = SamplingRequest.parse(f, maxTokens);
        Backend backend = router.route(model);
        ex.note(model, null);
        responder.respond(ex, backend, new TextRequest(new Prompt.Text(prompt), sampling, Instant.now().plus(timeout)),
                stream, new CompletionFormat.Text(model, stream && includeUsage), start);
    }

    /** A string, or an array holding exactly one string; token arrays and batches are refused. */
    private static String prompt(RequestFields f) {
        JsonNode p = f.raw("prompt");
        if (p == null) {
            throw new ApiException(400, "invalid_request_error", "missing_required_parameter", "prompt", "'prompt' is required");
        }
        String text;
        if (p.isTextual()) {
            text = p.textValue();
        } else if (p.isArray()) {
            ArrayNode a = (ArrayNode) p;
            if (a.size() != 1 || !a.get(0).isTextual()) {
                throw new ApiException(400, "invalid_request_error", "unsupported_parameter", "prompt",
                        "'prompt' must be a string (or an array of one string): batches and token arrays are not supported");
            }
            text = a.get(0).textValue();
        } else {
            throw ApiException.invalid("prompt", "'prompt' must be a string, got " + RequestFields.kind(p));
        }
        if (text.isBlank()) {
            throw ApiException.invalid("prompt", "'prompt' is empty: give the model some text to continue");
        }
        return text;
    }
}
