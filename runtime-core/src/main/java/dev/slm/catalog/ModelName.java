package dev.slm.catalog;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The name a user gives a model: lower case, so {@code Qwen2.5-0.5B} and {@code qwen2.5-0.5b} are one
 * model, and safe as a file name, since each name has a manifest file in the store.
 */
public final class ModelName {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    /** Aliases may also carry Ollama-style tags ({@code qwen2.5:0.5b}); they never name a file. */
    private static final Pattern ALIAS = Pattern.compile("[a-z0-9][a-z0-9._:-]{0,99}");

    private ModelName() {
    }

    public static String normalize(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }

    public static boolean isValid(String name) {
        return NAME.matcher(name).matches() && !name.contains("..");
    }

    public static boolean isValidAlias(String alias) {
        return ALIAS.matcher(alias).matches() && !alias.contains("..");
    }

    /** The normalized name, or an IllegalArgumentException saying what a name may hold. */
    public static String require(String name) {
        String n = normalize(name == null ? "" : name);
        if (!isValid(n)) {
            throw new IllegalArgumentException("'" + name + "' is not a valid model name: use letters, digits, '.', '_' and '-'"
                    + " (at most 100, starting with a letter or digit)");
        }
        return n;
    }
}
