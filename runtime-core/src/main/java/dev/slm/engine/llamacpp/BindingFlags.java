package dev.slm.engine.llamacpp;

import de.kherud.llama.ModelParameters;
import java.lang.reflect.Field;
import java.util.Map;

/**
 * Flags of llama.cpp v0.5.0 that the binding's ModelParameters (written for b4916) has no setter
 * for, such as {@code --mmproj}. ModelParameters keeps its flags in a package-private map that
 * becomes the argument list slm's own libjllama hands to llama.cpp's parser (jllama.cpp
 * {@code loadModel}); adding to that map is the one door short of forking the binding's Java API,
 * which slm keeps unchanged. The binding is pinned (4.2.0), so the field cannot move under us.
 */
final class BindingFlags {
    private static final Field PARAMETERS;

    static {
        try {
            PARAMETERS = ModelParameters.class.getSuperclass().getDeclaredField("parameters");
            PARAMETERS.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private BindingFlags() {
    }

    /** Adds {@code flag value} to the arguments llama.cpp parses. */
    @SuppressWarnings("unchecked")
    static void put(ModelParameters p, String flag, String value) {
        try {
            ((Map<String, String>) PARAMETERS.get(p)).put(flag, value);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("the binding's ModelParameters changed: " + e.getMessage(), e);
        }
    }
}
