package dev.slm.routing.confidence;

import dev.slm.openai.CompletionRequest;

/**
 * Measures the local model's confidence before it answers. The built-in probe is
 * {@link SelfConsistencyProbe}; a probe reading token log-probabilities belongs here once the binding
 * can report them (java-llama.cpp 4.2.0 aborts the process when they are requested).
 */
@FunctionalInterface
public interface ConfidenceProbe {

    /**
     * @param localRequest the request as the local model would get it ({@code model} is the local one).
     * @throws dev.slm.routing.local.LocalFailureException when the local model cannot be asked.
     */
    Confidence measure(CompletionRequest localRequest);
}
