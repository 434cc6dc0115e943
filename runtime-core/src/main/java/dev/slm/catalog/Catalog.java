package dev.slm.catalog;

import dev.slm.SlmException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models {@code slm} can pull by name: the {@code models.lock} shipped with slm, plus a user's own
 * lock file whose entries are added and replace shipped ones of the same name.
 */
public final class Catalog {
    private static final String BUILT_IN = "models.lock";

    private final List<CatalogEntry> entries;

    private Catalog(List<CatalogEntry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The catalog shipped inside slm. */
    public static Catalog builtIn() {
        try (InputStream in = Catalog.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new SlmException("the built-in models.lock is missing from slm's jar (a broken build: reinstall slm)");
            }
            return new Catalog(CatalogFile.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "the built-in models.lock"));
        } catch (IOException e) {
            throw new SlmException("cannot read the built-in models.lock: " + e.getMessage());
        }
    }

    /** The built-in catalog with the user's own lock file ({@link #defaultUserFile}) when there is one. */
    public static Catalog builtInWithUserFile(Map<String, String> env) {
        return builtIn().withOverrides(read(defaultUserFile(env), true));
    }

    /**
     * Where a user's own lock file is looked for: $SLM_HOME/models.lock, else
     * $XDG_CONFIG_HOME/slm/models.lock, else ~/.config/slm/models.lock.
     */
    public static Path defaultUserFile(Map<String, String> env) {
        String home = env.get("SLM_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home).resolve(BUILT_IN);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return config.resolve("slm").resolve(BUILT_IN);
    }

    /** Parses lock-file text; {@code source} names the file in messages. */
    public static Catalog parse(String text, String source) {
        return new Catalog(CatalogFile.parse(text, source));
    }

    /** Reads a lock file; a file that does not exist is an empty catalog only when {@code optional}. */
    public static Catalog read(Path file, boolean optional) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            if (optional) {
                return new Catalog(List.of());
            }
            throw new SlmException("lock file not found: " + file + " (check the --catalog path)");
        } catch (IOException e) {
            throw new SlmException("cannot read the lock file " + file + ": " + e.getMessage());
        }
    }

    /** This catalog with {@code user}'s entries added, replacing those of the same name. */
    public Catalog withOverrides(Catalog user) {
        Map<String, CatalogEntry> byName = new LinkedHashMap<>();
        entries.forEach(e -> byName.put(e.name(), e));
        user.entries.forEach(e -> byName.put(e.name(), e));
        return new Catalog(new ArrayList<>(byName.values()));
    }

    public List<CatalogEntry> entries() {
        return entries;
    }

    /** The entry called {@code nameOrAlias} (any case); a name wins over another entry's alias. */
    public Optional<CatalogEntry> find(String nameOrAlias) {
        String n = ModelName.normalize(nameOrAlias);
        return entries.stream().filter(e -> e.name().equals(n)).findFirst()
                .or(() -> entries.stream().filter(e -> e.answersTo(n)).findFirst());
    }

    /** Every spelling (names and aliases) mapped to its entry's name: what suggestions are drawn from. */
    public Map<String, String> spellings() {
        Map<String, String> all = new LinkedHashMap<>();
        for (CatalogEntry e : entries) {
            all.putIfAbsent(e.name(), e.name());
            e.aliases().forEach(a -> all.putIfAbsent(a, e.name()));
        }
        return all;
    }
}
