package dev.slm.profile;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Maps a profile file (TOML, read as a Jackson tree) onto {@link Profile}, strictly: a missing key,
 * an unknown one (a typo) or a value of the wrong kind is an error naming the key. Walking the tree
 * by hand keeps Jackson's data binding, whose set-up costs a few hundred milliseconds of start-up,
 * off the path of every {@code slm run}.
 */
final class ProfileFile {
    private ProfileFile() {
    }

    /** @throws IllegalArgumentException naming the field that is wrong */
    static Profile read(JsonNode root) {
        Fields p = new Fields(root, "");
        Fields requires = p.object("requires");
        ProfileRequirements requirements = new ProfileRequirements(requires.strings("os"), requires.strings("arch"),
                requires.optionalText("accelerator"), requires.optionalText("board"));
        requires.done();
        Fields lib = p.object("native_library");
        NativeLibrarySpec library = new NativeLibrarySpec(lib.choice("variant", NativeLibrarySpec.Variant.class),
                lib.has("bundled_needs_cpu") ? lib.strings("bundled_needs_cpu") : List.of(), lib.optionalText("plugin"), lib.text("path_env"),
                lib.optionalText("path"), lib.text("how_to_enable"));
        lib.done();
        Fields t = p.object("tuning");
        Tuning tuning = new Tuning(t.choice("threads", Tuning.ThreadPolicy.class),
                !t.has("adapt_threads") || t.bool("adapt_threads"), t.integer("batch"), t.integer("ubatch"),
                t.choice("gpu_layers", Tuning.GpuLayerPolicy.class),
                t.has("gpu_memory") ? t.choice("gpu_memory", Tuning.GpuMemory.class) : null,
                t.bool("flash_attention"), t.optionalText("kv_cache_type"), t.bool("mmap"), t.bool("mlock"),
                t.integer("context_cap"), t.integer("memory_reserve_mib"), t.integer("gpu_reserve_mib"));
        t.done();
        Profile profile = new Profile(p.text("name"), p.optionalText("description"), p.integer("priority"), requirements,
                library, tuning);
        p.done();
        return profile;
    }

    /** Profile files write choices in lower case with hyphens: physical-cores, bundled, fit. */
    static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The keys of one table, each taken once; {@link #done()} rejects the ones never taken. */
    private static final class Fields {
        private final JsonNode node;
        private final String prefix;
        private final Set<String> taken = new HashSet<>();

        Fields(JsonNode node, String prefix) {
            this.node = node;
            this.prefix = prefix;
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException((prefix.isEmpty() ? "the file" : field("").replaceAll("\\.$", "")) + " must be a table");
            }
        }

        boolean has(String name) {
            return node.has(name) && !node.get(name).isNull();
        }

        private JsonNode take(String name) {
            taken.add(name);
            if (!has(name)) {
                throw new IllegalArgumentException(field(name) + " is missing");
            }
            return node.get(name);
        }

        Fields object(String name) {
            return new Fields(take(name), field(name) + ".");
        }

        String text(String name) {
            JsonNode v = take(name);
            if (!v.isTextual()) {
                throw new IllegalArgumentException(field(name) + " must be a string");
            }
            return v.asText();
        }

        String optionalText(String name) {
            taken.add(name);
            return has(name) ? text(name) : null;
        }

        int integer(String name) {
            JsonNode v = take(name);
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw new IllegalArgumentException(field(name) + " must be a whole number");
            }
            return v.asInt();
        }

        boolean bool(String name) {
            JsonNode v = take(name);
            if (!v.isBoolean()) {
                throw new IllegalArgumentException(field(name) + " must be true or false");
            }
            return v.asBoolean();
        }

        List<String> strings(String name) {
            JsonNode v = take(name);
            if (!v.isArray()) {
                throw new IllegalArgumentException(field(name) + " must be a list of strings");
            }
            List<String> values = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isTextual()) {
                    throw new IllegalArgumentException(field(name) + " must be a list of strings");
                }
                values.add(e.asText());
            }
            return values;
        }

        <E extends Enum<E>> E choice(String name, Class<E> type) {
            String value = text(name);
            for (E e : type.getEnumConstants()) {
                if (name(e).equals(value)) {
                    return e;
                }
            }
            throw new IllegalArgumentException(field(name) + " must be one of "
                    + String.join(", ", Arrays.stream(type.getEnumConstants()).map(ProfileFile::name).toList()) + ", got \"" + value + "\"");
        }

        void done() {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!taken.contains(name)) {
                    throw new IllegalArgumentException("unknown key " + field(name));
                }
            }
        }

        private String field(String name) {
            return prefix + name;
        }
    }
}
