package dev.slm.server.config;

import dev.slm.SlmException;
import dev.slm.catalog.Catalog;
import dev.slm.engine.ModelOptions;
import java.util.OptionalInt;
import dev.slm.profile.LaunchRequest;
import dev.slm.gguf.GgmlType;
import dev.slm.openai.ImageLimits;
import dev.slm.routing.RoutingConfig;
import dev.slm.store.ModelStore;
import dev.slm.server.backend.RequestDefaults;
import dev.slm.variant.VariantCreator;
import dev.slm.gguf.GgufReader;
import dev.slm.gguf.GgufFile;
import dev.slm.catalog.ModelName;
import dev.slm.catalog.CatalogEntry;
import dev.slm.store.Manifest;
import dev.slm.store.Variant;
import dev.slm.engine.DraftModel;
import dev.slm.engine.LoraAdapter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns settings into a {@link ServerConfig}: later settings win over earlier ones, every value is
 * checked, and every problem is reported at once, each on one line naming where it was set.
 *
 * <p>Model keys given outside a {@code [model.NAME]} section are defaults for every model (handy as
 * {@code --set parallel=2}).
 */
public final class ServerConfigBinder {
    /** Server-wide keys, with their defaults (null = none). */
    public static final Map<String, String> SERVER_KEYS = ordered(
            "host", "127.0.0.1",
            "port", "8080",
            "api_keys", null,
            "api_keys_file", null,
            "cors_origins", null,
            "max_body", "2MiB",
            "max_tokens", "4096",
            "request_timeout", "10m",
            "shutdown_grace", "30s",
            "load_timeout", "5m",
            "memory_budget", "80%",
            "native_library_dir", null,
            "models_dir", null,
            "routing", null,
            "allowed_hosts", null,
            "header_timeout", "10s",
            "max_connections", "512",
            "max_connections_per_address", "64",
            "runner_stall_timeout", "10s",
            "runner_memory_max", "auto",
            "state_dir", null,
            "serve_store", "false",
            "max_images", "4",
            "max_image_size", "5MiB",
            "fetch_image_urls", "false");

    /** Keys of a {@code [model.NAME]} section, with their defaults. */
    public static final Map<String, String> MODEL_KEYS = ordered(
            "path", null,
            "model", null,
            "context", "0",
            "threads", "0",
            "batch", null,
            "gpu_layers", null,
            "profile", null,
            "flash_attention", null,
            "kv_cache_type", null,
            "parallel", "1",
            "seed", "-1",
            "embeddings", "false",
            "keep_alive", "5m",
            "queue", "8",
            "preload", "false",
            "projector", null,
            "lora", null,
            "draft", null,
            "draft_max", "0",
            "aliases", null);

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]i?B|[KMGT]|B)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

    private final List<String> problems = new ArrayList<>();

    private ServerConfigBinder() {
    }

    /** {@code SLM_<KEY>} for every server-wide key, e.g. {@code SLM_PORT}, {@code SLM_API_KEYS_FILE}. */
    public static List<ConfigSetting> environment(Map<String, String> env) {
        List<ConfigSetting> settings = new ArrayList<>();
        for (String key : SERVER_KEYS.keySet()) {
            String name = "SLM_" + key.toUpperCase(Locale.ROOT);
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                settings.add(ConfigSetting.server(key, value.strip(), name));
            }
        }
        return settings;
    }

    public static ServerConfig bind(List<ConfigSetting> settings) {
        return new ServerConfigBinder().bindAll(settings);
    }

    private ServerConfig bindAll(List<ConfigSetting> settings) {
        Map<String, ConfigSetting> server = new LinkedHashMap<>();
        Map<String, ConfigSetting> modelDefaults = new LinkedHashMap<>();
        Map<String, Map<String, ConfigSetting>> models = new LinkedHashMap<>();
        for (ConfigSetting s : settings) {
            if (s.model() == null) {
                if (SERVER_KEYS.containsKey(s.key())) {
                    server.put(s.key(), s);
                } else if (MODEL_KEYS.containsKey(s.key()) && !s.key().equals("path") && !s.key().equals("model")
                        && !s.key().equals("aliases")) {
                    modelDefaults.put(s.key(), s);
                } else {
                    problems.add(s.origin() + ": unknown key '" + s.key() + "' (known: " + String.join(", ", SERVER_KEYS.keySet())
                            + ", and model keys as defaults for every model)");
                }
            } else if (!ConfigFile.isValidModelName(s.model())) {
                problems.add(s.origin() + ": model name '" + s.model() + "' must be letters, digits and . _ : - (at most 128)");
            } else if (MODEL_KEYS.containsKey(s.key())) {
                models.computeIfAbsent(s.model(), k -> new LinkedHashMap<>()).put(s.key(), s);
            } else {
                problems.add(s.origin() + ": unknown key '" + s.key() + "' in model '" + s.model() + "' (known: "
                        + String.join(", ", MODEL_KEYS.keySet()) + ")");
            }
        }

        String host = text(server, "host");
        checkHost(server.get("host"), host);
        int port = integer(server, SERVER_KEYS, "port", 0, 65535);
        List<String> apiKeys = new ArrayList<>(list(server, "api_keys"));
        if (server.containsKey("api_keys_file")) {
            apiKeys.addAll(readKeyFile(server.get("api_keys_file")));
        }
        for (String key : apiKeys) {
            if (key.length() < 8 || key.chars().anyMatch(Character::isWhitespace)) {
                problems.add(origin(server, "api_keys") + ": API keys must be at least 8 characters without spaces");
                break;
            }
        }
        List<String> cors = list(server, "cors_origins");
        for (String o : cors) {
            if (!o.equals("*") && !o.startsWith("http://") && !o.startsWith("https://")) {
                problems.add(origin(server, "cors_origins") + ": CORS origin '" + o + "' must be * or start with http:// or https://");
            }
        }
        long maxBody = size(server, "max_body", 1024, 1L << 30);
        int maxTokens = integer(server, SERVER_KEYS, "max_tokens", 1, 1_000_000);
        Duration requestTimeout = duration(server, SERVER_KEYS, "request_timeout", false, Duration.ofSeconds(1));
        Duration grace = duration(server, SERVER_KEYS, "shutdown_grace", false, Duration.ZERO);
        Duration loadTimeout = duration(server, SERVER_KEYS, "load_timeout", false, Duration.ofSeconds(1));
        long budget = memoryBudget(server);
        Optional<Path> nativeDir = Optional.ofNullable(server.get("native_library_dir")).map(s -> {
            Path dir = Path.of(s.value());
            if (!Files.isDirectory(dir)) {
                problems.add(s.origin() + ": native_library_dir " + dir + " is not a directory");
            }
            return dir;
        });

        Optional<RoutingConfig> routing = Optional.ofNullable(server.get("routing")).map(this::routing);
        ServerLimits limits = limits(server);

        Path modelsDir = Optional.ofNullable(server.get("models_dir")).map(s -> Path.of(s.value()))
                .orElseGet(() -> ModelStore.defaultRoot(System.getenv()));
        List<ModelConfig> modelConfigs = new ArrayList<>();
        for (var entry : models.entrySet()) {
            Map<String, ConfigSetting> merged = new LinkedHashMap<>(modelDefaults);
            merged.putAll(entry.getValue());
            modelConfigs.add(model(entry.getKey(), merged, modelsDir));
        }
        checkAliases(modelConfigs, models);
        boolean serveStore = bool(server, SERVER_KEYS, "serve_store");
        if (modelConfigs.isEmpty() && serveStore) {
            modelConfigs.addAll(storeModels(modelDefaults, modelsDir, origin(server, "serve_store")));
        }
        if (modelConfigs.isEmpty() && !serveStore && problems.isEmpty()) {
            problems.add("no models configured: add a [model.NAME] section with a path or a pulled model's name to the config file, or pass --model NAME=PATH");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new ServerConfig(host, port, apiKeys, cors, maxBody, maxTokens, requestTimeout, grace, loadTimeout,
                budget, nativeDir, modelConfigs, routing, limits);
    }

    private ModelConfig model(String name, Map<String, ConfigSetting> s, Path modelsDir) {
        Path path = modelFile(name, s.get("path"), s.get("model"), modelsDir);
        Optional<Variant> variant = variant(s.get("model"), modelsDir);
        int context = integer(s, MODEL_KEYS, "context", 0, 1 << 20);
        if (context == 0 && variant.isPresent()) {
            context = VariantCreator.contextSize(variant.get()).orElse(0);  // the variant's num_ctx
        }
        int threads = integer(s, MODEL_KEYS, "threads", 0, 1024);
        // Unset (or empty): the hardware profile decides, as for `slm run` without the flag.
        OptionalInt batch = optionalInteger(s, "batch", 1, 1 << 16);
        OptionalInt gpuLayers = optionalInteger(s, "gpu_layers", -1, 100_000);
        Optional<String> profile = optionalText(s, "profile");
        Optional<Boolean> flashAttention = optionalText(s, "flash_attention").map(v -> bool(s, MODEL_KEYS, "flash_attention"));
        Optional<GgmlType> kvCacheType = optionalText(s, "kv_cache_type").flatMap(v -> kvCacheType(s, v));
        int parallel = integer(s, MODEL_KEYS, "parallel", 1, 256);
        long seed = integer(s, MODEL_KEYS, "seed", -1, Integer.MAX_VALUE);
        boolean embeddings = bool(s, MODEL_KEYS, "embeddings");
        Duration keepAlive = duration(s, MODEL_KEYS, "keep_alive", true, Duration.ZERO);
        int queue = integer(s, MODEL_KEYS, "queue", 0, 100_000);
        boolean preload = bool(s, MODEL_KEYS, "preload");
        List<LoraAdapter> adapters = new ArrayList<>();
        variant.ifPresent(v -> v.adapters().forEach(a -> adapters.add(
                new LoraAdapter(ModelStore.at(modelsDir).blob(a.sha256()), a.scale()))));
        adapters.addAll(loras(s.get("lora")));
        if (path != null && !adapters.isEmpty() && Files.isRegularFile(path)) {
            // A wrong adapter is a config error at start-up, not a failed load at the first request.
            try {
                GgufFile gguf = GgufReader.read(path);
                adapters.forEach(a -> a.checkFits(gguf));
            } catch (SlmException e) {
                problems.add(origin(s, s.containsKey("lora") ? "lora" : "model") + ": " + e.getMessage());
            }
        }
        ModelOptions options = ModelOptions.defaults().withSeed(seed).withParallel(parallel).withEmbeddings(embeddings)
                .withProjector(projector(name, s.get("projector"), s.get("model"), modelsDir))
                .withAdapters(adapters)
                .withChatTemplate(variant.map(Variant::template).orElse(null))
                .withDraft(draft(s.get("draft"), integer(s, MODEL_KEYS, "draft_max", 0, 64), modelsDir));
        List<String> aliases = new ArrayList<>(list(s, "aliases"));
        for (String alias : aliases) {
            if (!ConfigFile.isValidModelName(alias)) {
                problems.add(origin(s, "aliases") + ": alias '" + alias + "' must be letters, digits and . _ : - (at most 128)");
            }
        }
        LaunchRequest launch = new LaunchRequest(profile, context, threads, batch, gpuLayers, flashAttention, kvCacheType);
        return new ModelConfig(name, path, options, launch, keepAlive, queue, preload,
                variant.map(RequestDefaults::of).orElse(RequestDefaults.NONE), aliases);
    }

    /** Each name a client may send means one model: an alias may not repeat a model's name or another alias. */
    private void checkAliases(List<ModelConfig> configs, Map<String, Map<String, ConfigSetting>> sections) {
        java.util.Set<String> names = new java.util.HashSet<>();
        configs.forEach(c -> names.add(c.name()));
        for (ModelConfig c : configs) {
            for (String alias : c.aliases()) {
                if (!names.add(alias)) {
                    problems.add(origin(sections.get(c.name()), "aliases") + ": alias '" + alias
                            + "' is already the name or an alias of a model");
                }
            }
        }
    }

    /** What a variant made with `slm create` adds, when {@code model = NAME} names one. */
    private Optional<Variant> variant(ConfigSetting stored, Path modelsDir) {
        if (stored == null || stored.value().isBlank()) {
            return Optional.empty();
        }
        try {
            Catalog catalog = Catalog.builtInWithUserFile(System.getenv());
            String name = catalog.find(stored.value()).map(CatalogEntry::name).orElse(ModelName.normalize(stored.value()));
            Optional<Variant> v = ModelStore.at(modelsDir).manifest(name).flatMap(Manifest::variantOf);
            v.ifPresent(variant -> variant.adapters().forEach(a -> ModelStore.at(modelsDir).adapterFile(name, a)));
            return v;
        } catch (SlmException e) {
            problems.add(stored.origin() + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * {@code lora = FILE[:SCALE], ...}: LoRA adapters, in llama.cpp's --lora-scaled spelling (scale 1
     * when left out). A request picks among them by index with its {@code lora} field; after a
     * variant's own adapters, which come first.
     */
    private List<LoraAdapter> loras(ConfigSetting lora) {
        List<LoraAdapter> out = new ArrayList<>();
        if (lora == null || lora.value().isBlank()) {
            return out;
        }
        for (String item : lora.value().split(",")) {
            String entry = item.strip();
            int colon = entry.lastIndexOf(':');
            float scale = 1f;
            String file = entry;
            if (colon > 0) {
                try {
                    scale = Float.parseFloat(entry.substring(colon + 1));
                    file = entry.substring(0, colon);
                } catch (NumberFormatException notAScale) {
                    // a path with a colon in it
                }
            }
            Path path = Path.of(file);
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                problems.add(lora.origin() + ": LoRA adapter " + file + " does not exist or is not readable");
            } else if (!Float.isFinite(scale)) {
                problems.add(lora.origin() + ": the scale of " + file + " must be a finite number");
            } else {
                out.add(new LoraAdapter(path, scale));
            }
        }
        return out;
    }

    /**
     * {@code draft = FILE or NAME}: a small model of the same family that drafts tokens for this one
     * (speculative decoding, as llama-server's --model-draft); null without the key.
     */
    private DraftModel draft(ConfigSetting draft, int maxTokens, Path modelsDir) {
        if (draft == null || draft.value().isBlank()) {
            return null;
        }
        Path file = Path.of(draft.value());
        if (!Files.isRegularFile(file)) {
            try {
                file = ModelStore.at(modelsDir).modelFile(Catalog.builtInWithUserFile(System.getenv()), draft.value())
                        .orElse(file);
            } catch (SlmException e) {
                problems.add(draft.origin() + ": " + e.getMessage());
                return null;
            }
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            problems.add(draft.origin() + ": draft model " + draft.value() + " is neither a readable file nor a model in "
                    + modelsDir + " (pull it, or give its path)");
            return null;
        }
        return new DraftModel(file, maxTokens);
    }

    /**
     * The vision projector: {@code projector = FILE}, else the one a pulled vision model came with;
     * null for a text model.
     */
    private Path projector(String name, ConfigSetting projector, ConfigSetting stored, Path modelsDir) {
        if (projector != null && !projector.value().isBlank()) {
            Path file = Path.of(projector.value());
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                problems.add(projector.origin() + ": projector file " + file + " does not exist or is not readable");
            }
            return file;
        }
        if (stored != null && !stored.value().isBlank()) {
            try {
                return ModelStore.at(modelsDir).projectorFile(Catalog.builtInWithUserFile(System.getenv()), stored.value())
                        .orElse(null);
            } catch (SlmException e) {
                problems.add(stored.origin() + ": " + e.getMessage());
            }
        }
        return null;
    }

    /** {@code path = FILE}, or {@code model = NAME} of a model in the store ({@code slm pull NAME}). */
    private Path modelFile(String name, ConfigSetting path, ConfigSetting stored, Path modelsDir) {
        boolean hasPath = path != null && !path.value().isBlank();
        boolean hasName = stored != null && !stored.value().isBlank();
        if (hasPath == hasName) {
            problems.add((hasPath ? stored.origin() : "model '" + name + "'") + ": give either 'path = /path/to/model.gguf'"
                    + " or 'model = NAME' (a model pulled with `slm pull NAME`) in its [model." + name + "] section"
                    + (hasPath ? ", not both" : ""));
            return null;
        }
        if (hasName) {
            try {
                Optional<Path> file = ModelStore.at(modelsDir).modelFile(Catalog.builtInWithUserFile(System.getenv()), stored.value());
                if (file.isEmpty()) {
                    problems.add(stored.origin() + ": model " + stored.value() + " is not in the model store " + modelsDir
                            + ": pull it as the server's user (`slm pull " + stored.value() + " --models-dir " + modelsDir
                            + "`), or set models_dir");
                }
                return file.orElse(null);
            } catch (SlmException e) {
                problems.add(stored.origin() + ": " + e.getMessage());
                return null;
            }
        }
        Path file = Path.of(path.value());
        if (!Files.isRegularFile(file)) {
            problems.add(path.origin() + ": model file " + file + " does not exist or is not a file");
        } else if (!Files.isReadable(file)) {
            problems.add(path.origin() + ": model file " + file + " is not readable by this user");
        }
        return file;
    }

    private String text(Map<String, ConfigSetting> s, String key) {
        ConfigSetting v = s.get(key);
        return v == null ? SERVER_KEYS.get(key) : v.value();
    }

    private static String origin(Map<String, ConfigSetting> s, String key) {
        ConfigSetting v = s.get(key);
        return v == null ? key : v.origin();
    }

    private <T> T parse(Map<String, ConfigSetting> s, Map<String, String> defaults, String key, T fallback,
                        Function<String, T> parser) {
        ConfigSetting v = s.get(key);
        String raw = v == null ? defaults.get(key) : v.value();
        try {
            return parser.apply(raw.strip());
        } catch (IllegalArgumentException e) {
            problems.add((v == null ? "default of " + key : v.origin()) + ": " + key + " " + e.getMessage());
            return fallback;
        }
    }

    private int integer(Map<String, ConfigSetting> s, Map<String, String> defaults, String key, int min, int max) {
        return parse(s, defaults, key, Math.max(min, 0), raw -> {
            long n;
            try {
                n = Long.parseLong(raw);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be a whole number, got '" + raw + "'");
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException("must be between " + min + " and " + max + ", got " + raw);
            }
            return (int) n;
        });
    }

    /** A model key whose absence (or an empty value) leaves the choice to the hardware profile. */
    private Optional<String> optionalText(Map<String, ConfigSetting> s, String key) {
        ConfigSetting v = s.get(key);
        return v == null || v.value().isBlank() ? Optional.empty() : Optional.of(v.value().strip());
    }

    private OptionalInt optionalInteger(Map<String, ConfigSetting> s, String key, int min, int max) {
        return optionalText(s, key).isEmpty() ? OptionalInt.empty() : OptionalInt.of(integer(s, MODEL_KEYS, key, min, max));
    }

    private Optional<GgmlType> kvCacheType(Map<String, ConfigSetting> s, String value) {
        for (GgmlType t : ModelOptions.KV_CACHE_TYPES) {
            if (t.name().equalsIgnoreCase(value)) {
                return Optional.of(t);
            }
        }
        problems.add(origin(s, "kv_cache_type") + ": kv_cache_type must be one of " + ModelOptions.KV_CACHE_TYPES.stream()
                .map(t -> t.name().toLowerCase(Locale.ROOT)).sorted().toList() + ", got '" + value + "'");
        return Optional.empty();
    }

    private boolean bool(Map<String, ConfigSetting> s, Map<String, String> defaults, String key) {
        return parse(s, defaults, key, false, raw -> switch (raw.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("must be true or false, got '" + raw + "'");
        });
    }

    private Duration duration(Map<String, ConfigSetting> s, Map<String, String> defaults, String key,
                              boolean foreverAllowed, Duration min) {
        return parse(s, defaults, key, min, raw -> {
            if (foreverAllowed && (raw.equals("-1") || raw.equalsIgnoreCase("never") || raw.equalsIgnoreCase("forever"))) {
                return Duration.ofSeconds(-1);
            }
            Duration d = parseDuration(raw);
            if (d.compareTo(min) < 0) {
                throw new IllegalArgumentException("must be at least " + min.toMillis() + " ms, got " + raw);
            }
            return d;
        });
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}; a bare number is seconds. */
    public static Duration parseDuration(String raw) {
        Matcher m = DURATION.matcher(raw.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a duration like 500ms, 30s, 5m or 2h, got '" + raw + "'");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is too large: " + raw);
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        if (n > 365L * 24 * 3600 * 1000) {
            throw new IllegalArgumentException("is too large: " + raw);
        }
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** {@code 1024}, {@code 512KiB}, {@code 2MiB}, {@code 6GiB} (powers of 1024), {@code 2GB} (powers of 1000). */
    public static long parseSize(String raw) {
        Matcher m = SIZE.matcher(raw.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a size like 512KiB, 2MiB or 6GiB, got '" + raw + "'");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        boolean binary = unit.length() == 1 || unit.contains("I");
        double base = binary ? 1024 : 1000;
        int power = switch (unit.charAt(0)) {
            case 'K' -> 1;
            case 'M' -> 2;
            case 'G' -> 3;
            case 'T' -> 4;
            default -> 0;
        };
        double bytes = n * Math.pow(base, power);
        if (bytes > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException("is too large: " + raw);
        }
        return (long) bytes;
    }

    private long size(Map<String, ConfigSetting> s, String key, long min, long max) {
        return parse(s, SERVER_KEYS, key, min, raw -> {
            long v = parseSize(raw);
            if (v < min || v > max) {
                throw new IllegalArgumentException("must be between " + min + " and " + max + " bytes, got " + raw);
            }
            return v;
        });
    }

    /** A size, or a percentage of this machine's memory (as the cgroup limit shows it, when there is one). */
    private long memoryBudget(Map<String, ConfigSetting> s) {
        return parse(s, SERVER_KEYS, "memory_budget", 0L, raw -> {
            if (raw.endsWith("%")) {
                int percent;
                try {
                    percent = Integer.parseInt(raw.substring(0, raw.length() - 1).strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("must be a size (6GiB) or a percentage (80%), got '" + raw + "'");
                }
                if (percent < 1 || percent > 100) {
                    throw new IllegalArgumentException("percentage must be between 1 and 100, got " + raw);
                }
                return physicalMemory() / 100 * percent;
            }
            long v = parseSize(raw);
            if (v < 1 << 20) {
                throw new IllegalArgumentException("must be at least 1MiB, got " + raw);
            }
            return v;
        });
    }

    public static long physicalMemory() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }

    private List<String> list(Map<String, ConfigSetting> s, String key) {
        ConfigSetting v = s.get(key);
        if (v == null || v.value().isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(v.value().split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    /** One key per line; blank lines and {@code #} comments are skipped. */
    /** The routing file is read at start, so {@code --check-config} reports its mistakes too. */
    private RoutingConfig routing(ConfigSetting s) {
        try {
            return RoutingConfig.load(Path.of(s.value()));
        } catch (SlmException e) {
            problems.add(s.origin() + ": routing: " + e.getMessage());
            return null;
        }
    }

    private List<String> readKeyFile(ConfigSetting s) {
        Path file = Path.of(s.value());
        try {
            return Files.readAllLines(file).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            problems.add(s.origin() + ": cannot read the API key file " + file + ": " + e.getMessage());
            return List.of();
        }
    }

    /**
     * {@code serve_store = true} without {@code [model.*]} sections: every usable model of the store,
     * named as {@code slm list} names it, with the model defaults. What a service installed with
     * its default config serves after {@code slm pull}; an empty store is no error (nothing to serve yet).
     */
    private List<ModelConfig> storeModels(Map<String, ConfigSetting> defaults, Path modelsDir, String origin) {
        List<ModelConfig> found = new ArrayList<>();
        try {
            for (dev.slm.store.StoredModel m : ModelStore.at(modelsDir).list()) {
                if (!m.usable() || !ConfigFile.isValidModelName(m.name())) {
                    continue;
                }
                Map<String, ConfigSetting> s = new LinkedHashMap<>(defaults);
                s.put("model", ConfigSetting.model(m.name(), "model", m.name(), origin + " (" + modelsDir + ")"));
                found.add(model(m.name(), s, modelsDir));
            }
        } catch (SlmException e) {
            problems.add(origin + ": cannot read the model store " + modelsDir + ": " + e.getMessage());
        }
        return found;
    }

    private ServerLimits limits(Map<String, ConfigSetting> s) {
        List<String> hosts = list(s, "allowed_hosts").stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        Duration headerTimeout = duration(s, SERVER_KEYS, "header_timeout", false, Duration.ofMillis(100));
        int maxConnections = integer(s, SERVER_KEYS, "max_connections", 2, 65_536);
        int perAddress = integer(s, SERVER_KEYS, "max_connections_per_address", 1, 65_536);
        Duration stall = duration(s, SERVER_KEYS, "runner_stall_timeout", false, Duration.ofMillis(500));
        long memoryMax = parse(s, SERVER_KEYS, "runner_memory_max", -1L, raw -> switch (raw.toLowerCase(Locale.ROOT)) {
            case "auto" -> -1L;
            case "off", "none", "0" -> 0L;
            default -> {
                long v = parseSize(raw);
                if (v < (256L << 20)) {
                    throw new IllegalArgumentException("must be auto, off, or at least 256MiB (a runner JVM needs that much), got " + raw);
                }
                yield v;
            }
        });
        Path stateDir = Optional.ofNullable(s.get("state_dir")).map(v -> Path.of(v.value()))
                .orElseGet(() -> defaultStateDir(System.getenv()));
        ImageLimits images = new ImageLimits(integer(s, SERVER_KEYS, "max_images", 0, 256),
                parse(s, SERVER_KEYS, "max_image_size", 0L, ServerConfigBinder::parseSize),
                bool(s, SERVER_KEYS, "fetch_image_urls"), ImageLimits.DEFAULTS.fetchTimeout());
        return new ServerLimits(hosts, headerTimeout, maxConnections, perAddress, stall, memoryMax, stateDir, images);
    }

    /** systemd's StateDirectory when run as a service, else {@code $SLM_HOME/state} or {@code ~/.local/state/slm}. */
    static Path defaultStateDir(Map<String, String> env) {
        String systemd = env.get("STATE_DIRECTORY");
        if (systemd != null && !systemd.isBlank()) {
            return Path.of(systemd.split(":")[0]);
        }
        String home = env.get("SLM_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home, "state");
        }
        String xdg = env.get("XDG_STATE_HOME");
        Path state = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "state");
        return state.resolve("slm");
    }

    private void checkHost(ConfigSetting s, String host) {
        if (host == null || host.isBlank()) {
            problems.add((s == null ? "host" : s.origin()) + ": host is empty: use an address such as 127.0.0.1");
            return;
        }
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            problems.add((s == null ? "host" : s.origin()) + ": host '" + host + "' cannot be resolved: use an IP address such as 127.0.0.1 or 0.0.0.0");
        }
    }

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
