package dev.slm.profile;


/**
 * A hardware profile, as read from its file in native-profiles/: which machines it is for, which
 * native library it needs and how models are tuned on it.
 *
 * @param priority  among the profiles a machine supports, the highest wins
 */
public record Profile(String name, String description, int priority, ProfileRequirements requires,
                      NativeLibrarySpec nativeLibrary, Tuning tuning) {

    public Profile {
        if (name == null || !name.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new IllegalArgumentException("name must be lower-case letters, digits, '-' or '_', got " + name);
        }
        if (requires == null || nativeLibrary == null || tuning == null) {
            throw new IllegalArgumentException("[requires], [native_library] and [tuning] must all be given");
        }
        description = description == null ? "" : description;
    }
}
