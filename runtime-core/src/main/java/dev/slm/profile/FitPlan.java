package dev.slm.profile;

import java.util.List;

/**
 * How a model will be opened so that it fits: context size, GPU layers, and the estimate behind them.
 *
 * @param gpuLayers  as {@code ModelOptions.gpuLayers}: 0 = CPU only, -1 = all (output head included)
 * @param system     what system memory must hold
 * @param gpu        what GPU memory must hold (dedicated GPUs; unified memory counts as system)
 * @param systemBudget  system memory available for the model (after the profile's reserve), -1 unknown
 * @param gpuBudget  free GPU memory for the model (after the profile's reserve)
 * @param checked    false when memory is unknown and nothing could be checked
 * @param warnings   what the user should know because it changes what they get (a smaller context)
 * @param notes      other decisions worth logging (part of the layers on the GPU)
 */
public record FitPlan(int contextSize, int gpuLayers, MemoryEstimate system, MemoryEstimate gpu, long systemBudget,
                      long gpuBudget, boolean checked, List<String> warnings, List<String> notes) {
    public FitPlan {
        warnings = List.copyOf(warnings);
        notes = List.copyOf(notes);
    }
}
