package dev.slm.routing.confidence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.routing.local.LocalAnswerer;
import dev.slm.openai.CompletionRequest;
import dev.slm.openai.OpenAiShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Confidence as self-consistency: the local model writes the first {@code tokens} tokens of its answer
 * {@code samples} times with sampling on (seeds 1, 2, 3...), and the score is how much the samples
 * agree: the mean, over every pair, of the length of their common beginning divided by the longer
 * one's length. A model that knows how to go on writes the same words each time; one that does not
 * scatters.
 *
 * <p>The seeds are fixed so that the same request gets the same decision. Costs {@code samples}
 * short generations before the answer itself.
 */
public final class SelfConsistencyProbe implements ConfidenceProbe {
    public static final int DEFAULT_SAMPLES = 5;
    public static final int DEFAULT_TOKENS = 4;
    public static final float DEFAULT_TEMPERATURE = 0.8f;

    private final LocalAnswerer local;
    private final int samples;
    private final int tokens;
    private final float temperature;

    public SelfConsistencyProbe(LocalAnswerer local, int samples, int tokens, float temperature) {
        if (samples < 2) {
            throw new IllegalArgumentException("self-consistency needs at least 2 samples, got " + samples);
        }
        if (tokens < 1) {
            throw new IllegalArgumentException("self-consistency needs at least 1 token a sample, got " + tokens);
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("self-consistency samples need a temperature above 0, got " + temperature);
        }
        this.local = local;
        this.samples = samples;
        this.tokens = tokens;
        this.temperature = temperature;
    }

    @Override
    public Confidence measure(CompletionRequest localRequest) {
        List<String> texts = new ArrayList<>(samples);
        for (int seed = 1; seed <= samples; seed++) {
            ObjectNode body = localRequest.body().deepCopy();
            body.put("stream", false);
            body.remove("stream_options");
            body.remove("max_completion_tokens");
            body.put("max_tokens", tokens);
            body.put("seed", seed);
            body.put("temperature", temperature);
            body.put("n", 1);
            texts.add(OpenAiShape.answerText(local.complete(localRequest.withBody(body))));
        }
        double score = agreement(texts);
        return new Confidence(score, String.format(Locale.ROOT,
                "%d samples of %d tokens agree %.2f", samples, tokens, score));
    }

    /** Mean over all pairs of common-prefix length / longer length; 1 when all are equal. */
    public static double agreement(List<String> texts) {
        if (texts.size() < 2) {
            return 1;
        }
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < texts.size(); i++) {
            for (int j = i + 1; j < texts.size(); j++) {
                sum += prefixAgreement(texts.get(i), texts.get(j));
                pairs++;
            }
        }
        return sum / pairs;
    }

    private static double prefixAgreement(String a, String b) {
        int longer = Math.max(a.length(), b.length());
        if (longer == 0) {
            return 1;
        }
        int common = 0;
        int shorter = Math.min(a.length(), b.length());
        while (common < shorter && a.charAt(common) == b.charAt(common)) {
            common++;
        }
        return (double) common / longer;
    }
}
