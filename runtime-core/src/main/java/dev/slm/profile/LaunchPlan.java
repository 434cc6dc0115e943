package dev.slm.profile;

import dev.slm.engine.ModelOptions;
import dev.slm.hardware.MachineFacts;

/** Everything decided before a model is opened: the machine, the profile, the fit, and the options. */
public record LaunchPlan(MachineFacts facts, ProfileChoice choice, Profile profile, FitPlan fit, ModelOptions options) {
}
