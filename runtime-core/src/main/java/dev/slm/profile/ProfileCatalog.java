package dev.slm.profile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.slm.SlmException;
import dev.slm.catalog.Catalog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hardware profiles: those packaged with slm (module native-profiles, class-path resources under
 * {@code dev/slm/profiles/}, listed in its {@code index.txt}), then the user's own from
 * {@link #userDirectory}. A user's {@code NAME.toml} replaces the packaged profile NAME, or
 * adds a new one.
 */
public final class ProfileCatalog {
    private static final Logger log = LoggerFactory.getLogger(ProfileCatalog.class);
    private static final String RESOURCES = "/dev/slm/profiles/";
    private static final TomlMapper TOML = new TomlMapper();

    private final List<Profile> profiles;

    private ProfileCatalog(List<Profile> profiles) {
        this.profiles = profiles.stream().sorted(Comparator.comparingInt(Profile::priority).reversed()
                .thenComparing(Profile::name)).toList();
    }

    /** The packaged profiles and the user's, as the environment says where the user's are. */
    public static ProfileCatalog load(Function<String, String> env) {
        Map<String, Profile> byName = new LinkedHashMap<>();
        for (Profile p : packaged()) {
            byName.put(p.name(), p);
        }
        Path dir = userDirectory(env);
        if (Files.isDirectory(dir)) {
            for (Profile p : fromDirectory(dir)) {
                log.debug("profile {} from {}", p.name(), dir);
                byName.put(p.name(), p);
            }
        }
        return new ProfileCatalog(new ArrayList<>(byName.values()));
    }

    public static ProfileCatalog of(List<Profile> profiles) {
        return new ProfileCatalog(profiles);
    }

    /** Highest priority first. */
    public List<Profile> all() {
        return profiles;
    }

    public Optional<Profile> find(String name) {
        return profiles.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public List<String> names() {
        return profiles.stream().map(Profile::name).toList();
    }

    /** The profiles packaged with slm. */
    public static List<Profile> packaged() {
        List<Profile> result = new ArrayList<>();
        for (String file : resource("index.txt").lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) {
            result.add(parse(resource(file), file, "packaged profile "));
        }
        return result;
    }

    static List<Profile> fromDirectory(Path dir) {
        List<Profile> result = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".toml")).sorted().toList()) {
                result.add(parse(Files.readString(file), file.getFileName().toString(), file.getParent() + "/"));
            }
        } catch (IOException e) {
            throw new SlmException("cannot read the profiles in " + dir + ": " + e.getMessage());
        }
        return result;
    }

    /**
     * $SLM_PROFILES_DIR, else a {@code profiles} directory beside the user's models.lock:
     * $SLM_HOME/profiles, else $XDG_CONFIG_HOME/slm/profiles, else ~/.config/slm/profiles.
     */
    public static Path userDirectory(Function<String, String> env) {
        String explicit = env.apply("SLM_PROFILES_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        Map<String, String> vars = new HashMap<>();
        for (String name : List.of("SLM_HOME", "XDG_CONFIG_HOME")) {
            if (env.apply(name) != null) {
                vars.put(name, env.apply(name));
            }
        }
        return Catalog.defaultUserFile(vars).resolveSibling("profiles");
    }

    static Profile parse(String text, String fileName, String where) {
        Profile p;
        try {
            p = ProfileFile.read(TOML.readTree(text));
        } catch (JsonProcessingException e) {
            throw new SlmException(where + fileName + " is not valid TOML: " + e.getOriginalMessage().lines().findFirst().orElse("")
                    + " (line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")");
        } catch (IllegalArgumentException e) {
            throw new SlmException(where + fileName + " is not a valid profile: " + e.getMessage() + " (see native-profiles/README.md)");
        }
        String expected = fileName.substring(0, fileName.length() - ".toml".length());
        if (!p.name().equals(expected)) {
            throw new SlmException(where + fileName + " names its profile '" + p.name() + "': name the file " + p.name() + ".toml");
        }
        return p;
    }

    private static String resource(String name) {
        try (InputStream in = ProfileCatalog.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new SlmException("the packaged profile " + name + " is missing from the class path: reinstall slm");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SlmException("cannot read the packaged profile " + name + ": " + e.getMessage());
        }
    }
}
