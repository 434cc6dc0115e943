package dev.slm.routing;

import dev.slm.openai.CompletionRequest;
import dev.slm.openai.OpenAiShape;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A reason to send a request upstream, checked before any local work. A route's rules are combined
 * with "or": the first that matches decides, and its reason says why.
 */
public sealed interface EscalationRule {

    /**
     * Why {@code request} should go upstream, or empty when this rule does not apply.
     *
     * @param tokens counts tokens with the route's local model, when it can.
     */
    Optional<String> check(CompletionRequest request, Function<String, OptionalInt> tokens);

    /** The request's text is longer than {@code limit} characters. */
    record PromptChars(int limit) implements EscalationRule {
        @Override
        public Optional<String> check(CompletionRequest request, Function<String, OptionalInt> tokens) {
            int length = request.text().length();
            return length > limit
                    ? Optional.of("the request is " + length + " characters, over the limit of " + limit)
                    : Optional.empty();
        }
    }

    /**
     * The request's text is longer than {@code limit} tokens of the local model (estimated at
     * {@value OpenAiShape#CHARS_PER_TOKEN_ESTIMATE} characters a token when it cannot count them).
     */
    record PromptTokens(int limit) implements EscalationRule {
        @Override
        public Optional<String> check(CompletionRequest request, Function<String, OptionalInt> tokens) {
            String text = request.text();
            OptionalInt counted = tokens.apply(text);
            long n = counted.isPresent() ? counted.getAsInt() : OpenAiShape.estimateTokens(text);
            return n > limit
                    ? Optional.of("the request is " + (counted.isPresent() ? "" : "about ") + n
                            + " tokens, over the limit of " + limit)
                    : Optional.empty();
        }
    }

    /** The client asked for one of these model names (e.g. the upstream's, or "large"). */
    record RequestedModel(Set<String> names) implements EscalationRule {
        public RequestedModel {
            names = Set.copyOf(names);
        }

        @Override
        public Optional<String> check(CompletionRequest request, Function<String, OptionalInt> tokens) {
            return names.contains(request.model())
                    ? Optional.of("the request asks for model '" + request.model() + "'")
                    : Optional.empty();
        }
    }

    /** The request came with this HTTP header value (e.g. {@code x-slm-route: upstream}). */
    record HeaderEquals(String name, String value) implements EscalationRule {
        @Override
        public Optional<String> check(CompletionRequest request, Function<String, OptionalInt> tokens) {
            return request.header(name).filter(v -> v.strip().equalsIgnoreCase(value))
                    .map(v -> "header " + name + " is '" + value + "'");
        }
    }

    /** The request's {@code metadata} has this tag (e.g. {@code "route": "upstream"}). */
    record MetadataEquals(String key, String value) implements EscalationRule {
        @Override
        public Optional<String> check(CompletionRequest request, Function<String, OptionalInt> tokens) {
            return request.metadata(key).filter(v -> v.equals(value))
                    .map(v -> "metadata " + key + " is '" + value + "'");
        }
    }

    /** The request's text contains a match of {@code pattern}. */
    record TextMatches(Pattern pattern) implements EscalationRule {
        @Override
        public Optional<String> check(CompletionRequest request, Function<String, OptionalInt> tokens) {
            return pattern.matcher(request.text()).find()
                    ? Optional.of("the request matches /" + pattern.pattern() + "/")
                    : Optional.empty();
        }
    }
}
