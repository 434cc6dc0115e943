package dev.slm.profile;

import dev.slm.SlmException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The profile chosen for this machine, and why.
 *
 * @param profile           empty when no profile can be used (the reason says why and what to do)
 * @param nativeLibraryDir  a custom libjllama directory, or the folder of the profile's GPU plug-in; empty =
 *                          slm's own CPU build (else the library bundled in java-llama.cpp)
 * @param library           the native library in words
 * @param forced            chosen by --profile or SLM_PROFILE rather than by detection
 * @param reason            why this profile (or why none), one line
 * @param fallback          when a better profile suits the machine but its library is missing: one
 *                          line saying so and how to enable it
 * @param verdicts          every profile and what became of it, best first
 */
public record ProfileChoice(Optional<Profile> profile, Optional<Path> nativeLibraryDir, String library,
                            boolean forced, String reason, Optional<String> fallback, List<Verdict> verdicts) {

    public ProfileChoice {
        verdicts = List.copyOf(verdicts);
    }

    public enum Status {
        CHOSEN, LIBRARY_MISSING, NOT_SUITED, ALSO_SUITS, NOT_CONSIDERED
    }

    /** What became of one profile. */
    public record Verdict(String profile, Status status, String detail) {
    }

    /** The profile, or a one-line {@link SlmException} saying why none can be used. */
    public Profile require() {
        return profile.orElseThrow(() -> new SlmException(reason));
    }
}
