package dev.slm.profile;

import java.util.List;

/**
 * A hardware profile, as read from its file in native-profiles/: which machines it is for, which
 * native library it needs and how models are tuned on it.
 *
 * @param priority  among the profiles a machine supports, the highest wins
 * @param notes     why the defaults are what they are (shown by {@code slm profile})
 */
public record Profile(String name, String description, int priority, ProfileRequirements requires,
                      NativeLibrarySpec nativeLibrary, Tuning tuning, List<String> notes) {

    public Profile {
        if (name == null || !name.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new IllegalArgumentException("name must be lower-case letters, digits, '-' or '_', got " + name);
        }
        if (requires == null || nativeLibrary == null || tuning == null) {
            throw new IllegalArgumentException("requires, nativeLibrary and tuning must all be given");
        }
        description = description == null ? "" : description;
        notes = notes == null ? List.of() : List.copyOf(notes);
    }
}
