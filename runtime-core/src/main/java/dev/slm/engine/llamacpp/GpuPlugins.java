package dev.slm.engine.llamacpp;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.slm.SlmException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The GPU plug-ins slm knows, read from gpu-plugins.lock (packaged by native-profiles under
 * {@code dev/slm/native/}). Strict like the other lock files: a missing or unknown key is an error.
 */
public final class GpuPlugins {
    static final String RESOURCE = "/dev/slm/native/gpu-plugins.lock";
    private static final Set<String> KEYS = Set.of("platform", "release", "package", "version", "url", "integrity",
            "sha256", "size", "file", "runtime");
    private static final Pattern INTEGRITY = Pattern.compile("sha512-[A-Za-z0-9+/]{86}==");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static volatile List<GpuPlugin> packaged;

    private GpuPlugins() {
    }

    /** Every plug-in the packaged lock pins (none when slm was built without native-profiles' resources). */
    public static List<GpuPlugin> all() {
        List<GpuPlugin> p = packaged;
        if (p == null) {
            try (InputStream in = GpuPlugins.class.getResourceAsStream(RESOURCE)) {
                p = in == null ? List.of() : parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new SlmException("cannot read " + RESOURCE + ": " + e.getMessage());
            }
            packaged = p;
        }
        return p;
    }

    /** The plug-in a profile names, for a platform ("linux-x86_64"). */
    public static Optional<GpuPlugin> find(String name, String platform) {
        return all().stream().filter(g -> g.name().equals(name) && g.platform().equals(platform)).findFirst();
    }

    static List<GpuPlugin> parse(String text) {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(text);
        } catch (JacksonException e) {
            throw new SlmException("gpu-plugins.lock is not valid TOML: " + e.getOriginalMessage());
        }
        List<GpuPlugin> plugins = new ArrayList<>();
        JsonNode section = root.path("plugin");
        for (Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode p = e.getValue();
            for (Iterator<String> keys = p.fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (!KEYS.contains(key)) {
                    throw new SlmException("gpu-plugins.lock: unknown key plugin." + name + "." + key);
                }
            }
            Map<String, String> runtime = new LinkedHashMap<>();
            p.path("runtime").fields().forEachRemaining(r -> runtime.put(r.getKey(), r.getValue().asText()));
            GpuPlugin plugin = new GpuPlugin(name, text(p, name, "platform"), text(p, name, "release"), text(p, name, "package"),
                    text(p, name, "version"), text(p, name, "url"), text(p, name, "integrity"), text(p, name, "sha256"),
                    p.path("size").asLong(-1), text(p, name, "file"), runtime);
            if (!INTEGRITY.matcher(plugin.integrity()).matches() || !SHA256.matcher(plugin.sha256()).matches()
                    || plugin.size() <= 0 || !plugin.fileName().startsWith("libggml-")) {
                throw new SlmException("gpu-plugins.lock: plugin." + name + " needs a sha512 integrity, a hex sha256, a size"
                        + " and a libggml-*.so file");
            }
            plugins.add(plugin);
        }
        return List.copyOf(plugins);
    }

    private static String text(JsonNode p, String name, String key) {
        JsonNode v = p.get(key);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new SlmException("gpu-plugins.lock: plugin." + name + "." + key + " is missing");
        }
        return v.asText();
    }
}
