package dev.slm.catalog;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.slm.SlmException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a lock file (TOML, {@code [[model]]} tables; the README describes every key). Everything is
 * checked here, so a typo'd key or a malformed hash fails at once with the file and entry named,
 * not later as a failed download.
 */
final class CatalogFile {
    private static final TomlMapper TOML = new TomlMapper();
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> TOP_KEYS = Set.of("schema", "model");
    private static final Set<String> MODEL_KEYS = Set.of("name", "aliases", "architecture", "parameters",
            "quantization", "context_length", "license", "template", "min_ram_mib", "file", "size", "sha256", "urls",
            "projector");
    private static final Set<String> PROJECTOR_KEYS = Set.of("file", "size", "sha256", "urls");

    private final String source;

    private CatalogFile(String source) {
        this.source = source;
    }

    /** @param source how messages name the file (its path, or "the built-in models.lock") */
    static List<CatalogEntry> parse(String text, String source) {
        return new CatalogFile(source).parse(text);
    }

    private List<CatalogEntry> parse(String text) {
        JsonNode root;
        try {
            root = TOML.readTree(text);
        } catch (JacksonException e) {
            throw new SlmException(source + " is not valid TOML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()) + " (fix the file)");
        }
        unknownKeys(root, TOP_KEYS, "");
        if (root.has("schema") && root.get("schema").asInt(-1) != 1) {
            throw new SlmException(source + ": schema " + root.get("schema") + " is not supported (this slm reads schema 1; update slm)");
        }
        JsonNode models = root.path("model");
        if (!models.isMissingNode() && !models.isArray()) {
            throw new SlmException(source + ": 'model' must be a list of [[model]] tables");
        }
        List<CatalogEntry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int index = 0;
        for (JsonNode m : models) {
            index++;
            CatalogEntry entry = entry(m, index);
            if (!names.add(entry.name())) {
                throw new SlmException(source + ": model '" + entry.name() + "' is defined twice (keep one)");
            }
            entries.add(entry);
        }
        return entries;
    }

    private CatalogEntry entry(JsonNode m, int index) {
        String where = "model #" + index + (m.path("name").isTextual() ? " (" + m.path("name").asText() + ")" : "");
        if (!m.isObject()) {
            throw new SlmException(source + ": " + where + " is not a table");
        }
        unknownKeys(m, MODEL_KEYS, where + ": ");
        String name = ModelName.normalize(text(m, "name", where, true));
        if (!ModelName.isValid(name)) {
            throw new SlmException(source + ": " + where + ": name may hold only letters, digits, '.', '_' and '-'");
        }
        List<String> aliases = new ArrayList<>();
        for (String alias : strings(m, "aliases", where)) {
            String a = ModelName.normalize(alias);
            if (!ModelName.isValidAlias(a)) {
                throw new SlmException(source + ": " + where + ": alias '" + alias + "' may hold only letters, digits, '.', '_', ':' and '-'");
            }
            aliases.add(a);
        }
        Pinned pinned = pinned(m, where);
        Optional<CatalogEntry.Projector> projector = Optional.empty();
        JsonNode p = m.get("projector");
        if (p != null) {
            String at = where + ": projector";
            if (!p.isObject()) {
                throw new SlmException(source + ": " + at + " must be a table (file, size, sha256, urls)");
            }
            unknownKeys(p, PROJECTOR_KEYS, at + ": ");
            Pinned pp = pinned(p, at);
            projector = Optional.of(new CatalogEntry.Projector(pp.file, pp.size, pp.sha256, pp.urls));
        }
        return new CatalogEntry(name, aliases, text(m, "architecture", where, true),
                orEmpty(text(m, "parameters", where, false)), orEmpty(text(m, "quantization", where, false)),
                number(m, "context_length", where, false), orEmpty(text(m, "license", where, false)),
                orEmpty(text(m, "template", where, false)), number(m, "min_ram_mib", where, false),
                pinned.file, pinned.size, pinned.sha256, pinned.urls, projector);
    }

    /** A file pinned by size and hash, and where to fetch it: a model's, or its projector's. */
    private record Pinned(String file, long size, Optional<String> sha256, List<URI> urls) {
    }

    private Pinned pinned(JsonNode m, String where) {
        List<URI> urls = new ArrayList<>();
        for (String u : strings(m, "urls", where)) {
            urls.add(url(u, where));
        }
        if (urls.isEmpty()) {
            throw new SlmException(source + ": " + where + " has no urls (give at least one https:// address)");
        }
        long size = number(m, "size", where, true);
        if (size <= 0) {
            throw new SlmException(source + ": " + where + ": size must be the file's exact byte count");
        }
        Optional<String> sha = Optional.ofNullable(text(m, "sha256", where, false)).map(s -> s.toLowerCase(Locale.ROOT));
        if (sha.isPresent() && !SHA256.matcher(sha.get()).matches()) {
            throw new SlmException(source + ": " + where + ": sha256 must be 64 hexadecimal digits");
        }
        String file = text(m, "file", where, false);
        if (file == null) {
            String path = urls.get(0).getPath();
            file = path.substring(path.lastIndexOf('/') + 1);
        }
        return new Pinned(file, size, sha, urls);
    }

    private URI url(String u, String where) {
        try {
            URI uri = new URI(u);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new URISyntaxException(u, "not an http(s) address");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new SlmException(source + ": " + where + ": '" + u + "' is not an http(s) URL");
        }
    }

    private void unknownKeys(JsonNode node, Set<String> known, String where) {
        node.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                throw new SlmException(source + ": " + where + "unknown key '" + k + "' (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        });
    }

    private String text(JsonNode m, String key, String where, boolean required) {
        JsonNode v = m.get(key);
        if (v == null) {
            if (required) {
                throw new SlmException(source + ": " + where + " has no " + key);
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new SlmException(source + ": " + where + ": " + key + " must be a non-empty string");
        }
        return v.asText().strip();
    }

    private long number(JsonNode m, String key, String where, boolean required) {
        JsonNode v = m.get(key);
        if (v == null) {
            if (required) {
                throw new SlmException(source + ": " + where + " has no " + key);
            }
            return 0;
        }
        if (!v.isIntegralNumber() || v.asLong() < 0) {
            throw new SlmException(source + ": " + where + ": " + key + " must be a whole number, 0 or more");
        }
        return v.asLong();
    }

    private List<String> strings(JsonNode m, String key, String where) {
        JsonNode v = m.get(key);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new SlmException(source + ": " + where + ": " + key + " must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw new SlmException(source + ": " + where + ": " + key + " must be a list of strings");
            }
            out.add(item.asText().strip());
        }
        return out;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
