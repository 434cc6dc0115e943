package dev.slm.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads {@code slm.conf}: {@code key = value} lines, {@code #} comments, and {@code [model.NAME]}
 * sections whose keys describe one model. Values may be wrapped in double quotes (to keep a {@code #}
 * or surrounding spaces). The format is small on purpose: an operator edits it with any editor and a
 * typo is reported with its line number.
 */
public final class ConfigFile {
    public static final Path DEFAULT = Path.of("/etc/slm/slm.conf");
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]*");

    private ConfigFile() {
    }

    public static boolean isValidModelName(String name) {
        return name != null && MODEL_NAME.matcher(name).matches();
    }

    public static List<ConfigSetting> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file (create it, or pass --config with an existing file)");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read it: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    public static List<ConfigSetting> parse(String text, String name) {
        List<ConfigSetting> settings = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        String model = null;
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            String origin = name + ":" + (i + 1);
            String line = stripComment(lines[i]).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]")) {
                    problems.add(origin + ": a section header must end with ']'");
                    continue;
                }
                String section = line.substring(1, line.length() - 1).strip();
                if (!section.startsWith("model.")) {
                    problems.add(origin + ": unknown section [" + section + "]; the only sections are [model.NAME]");
                    model = "";
                    continue;
                }
                model = section.substring("model.".length());
                if (!isValidModelName(model)) {
                    problems.add(origin + ": model name '" + model + "' must be letters, digits and . _ : - (at most 128)");
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                problems.add(origin + ": expected 'key = value', got '" + line + "'");
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!KEY.matcher(key).matches()) {
                problems.add(origin + ": '" + key + "' is not a valid key (lower case letters, digits and _)");
                continue;
            }
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            } else if (value.startsWith("\"")) {
                problems.add(origin + ": unterminated quoted value");
                continue;
            }
            if (model != null && model.isEmpty()) {
                continue; // inside an unknown section, already reported
            }
            settings.add(model == null ? ConfigSetting.server(key, value, origin) : ConfigSetting.model(model, key, value, origin));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return settings;
    }

    /** Drops a {@code #} comment unless the {@code #} sits inside a quoted value. */
    private static String stripComment(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '#' && !quoted) {
                return line.substring(0, i);
            }
        }
        return line;
    }
}
