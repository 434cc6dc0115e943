package dev.slm.server.config;

/**
 * One {@code key = value} from wherever it came: the config file, an environment variable or a flag.
 *
 * @param model  the model section it belongs to ({@code [model.NAME]}), or null for a server-wide key
 * @param origin where it was set, for messages: {@code /etc/slm/slm.conf:12}, {@code SLM_PORT}, {@code --port}
 */
public record ConfigSetting(String model, String key, String value, String origin) {

    public static ConfigSetting server(String key, String value, String origin) {
        return new ConfigSetting(null, key, value, origin);
    }

    public static ConfigSetting model(String model, String key, String value, String origin) {
        return new ConfigSetting(model, key, value, origin);
    }

    /**
     * Parses {@code key=value} or {@code model.NAME.key=value} (the {@code --set} flag). A model name
     * may itself contain dots ({@code qwen2.5}), so the key is what follows the last one.
     */
    public static ConfigSetting parseAssignment(String assignment, String origin) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException(origin + ": expected KEY=VALUE or model.NAME.KEY=VALUE, got '" + assignment + "'");
        }
        String key = assignment.substring(0, eq).strip();
        String value = assignment.substring(eq + 1).strip();
        if (key.startsWith("model.")) {
            int dot = key.lastIndexOf('.');
            String name = key.substring("model.".length(), dot < "model.".length() ? "model.".length() : dot);
            if (dot < "model.".length() || name.isEmpty()) {
                throw new ConfigException(origin + ": expected model.NAME.KEY=VALUE, got '" + assignment + "'");
            }
            return model(name, key.substring(dot + 1), value, origin);
        }
        return server(key, value, origin);
    }
}
