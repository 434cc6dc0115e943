package dev.slm.server.config;

import dev.slm.SlmException;
import java.util.List;

/** A configuration that cannot be used. Each problem is one line that names where it is and the fix. */
public final class ConfigException extends SlmException {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(problems.getFirst() + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems)" : ""));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
