package dev.slm.server.backend;

import dev.slm.engine.SamplingOptions;
import java.time.Instant;

/** A validated generation request, as every backend receives it; {@code deadline} bounds queueing and generation together. */
public record TextRequest(Prompt prompt, SamplingOptions sampling, Instant deadline) {
}
