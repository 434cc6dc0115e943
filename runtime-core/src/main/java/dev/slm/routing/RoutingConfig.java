package dev.slm.routing;

import dev.slm.SlmException;
import dev.slm.routing.local.LocalFailureException;
import dev.slm.routing.redaction.PiiDetector;
import dev.slm.routing.redaction.Redactor;
import dev.slm.routing.upstream.Upstream;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Upstreams and routes, read from {@code upstream.NAME.KEY=VALUE} and {@code route.NAME.KEY=VALUE}
 * properties (the README's "Hybrid routing" section lists every key). Other keys are left to whoever
 * shares the file; a misspelt key under {@code upstream.} or {@code route.} is an error, not ignored.
 */
public record RoutingConfig(Map<String, Upstream> upstreams, List<Route> routes) {
    private static final Pattern KEY = Pattern.compile("(upstream|route)\\.([A-Za-z0-9_-]+)\\.(.+)");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)?");
    private static final Set<String> UPSTREAM_KEYS = Set.of("url", "model", "api-key-env", "api-key-file",
            "connect-timeout", "timeout", "idle-timeout", "cost-per-1k-input", "cost-per-1k-output");
    private static final Set<String> ROUTE_KEYS = Set.of("models", "local", "upstream", "privacy",
            "escalate.prompt-chars", "escalate.prompt-tokens", "escalate.models", "escalate.header",
            "escalate.metadata", "escalate.regex", "escalate.confidence-below", "escalate.on-local-failure",
            "confidence.samples", "confidence.tokens", "confidence.temperature", "fallback-to-local", "redact", "images");
    private static final String REDACT_PATTERN = "redact.pattern.";

    public RoutingConfig {
        upstreams = Map.copyOf(upstreams);
        routes = List.copyOf(routes);
        Map<String, String> owner = new HashMap<>();
        for (Route route : routes) {
            Set<String> names = new LinkedHashSet<>(route.models());
            route.rules().stream().filter(r -> r instanceof EscalationRule.RequestedModel)
                    .forEach(r -> names.addAll(((EscalationRule.RequestedModel) r).names()));
            for (String model : names) {
                String previous = owner.putIfAbsent(model, route.name());
                if (previous != null) {
                    throw new SlmException("routing config: model '" + model + "' is handled by routes '" + previous
                            + "' and '" + route.name() + "': give each model name to one route");
                }
            }
        }
    }

    /** No upstreams, no routes: everything is answered locally. */
    public static RoutingConfig empty() {
        return new RoutingConfig(Map.of(), List.of());
    }

    /** The route for requests that ask for {@code model}, if one handles it. */
    public Optional<Route> routeFor(String model) {
        return routes.stream().filter(r -> r.handles(model)).findFirst();
    }

    /** Reads a properties file (UTF-8); API keys from the process environment, key files relative to the file. */
    public static RoutingConfig load(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new SlmException("cannot read the routing config " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> map = new TreeMap<>();
        properties.stringPropertyNames().forEach(k -> map.put(k, properties.getProperty(k)));
        Path dir = file.toAbsolutePath().getParent();
        return parse(map, System::getenv, dir);
    }

    /**
     * @param env     looks up environment variables (for {@code api-key-env}).
     * @param baseDir what a relative {@code api-key-file} is relative to.
     */
    public static RoutingConfig parse(Map<String, String> properties, Function<String, String> env, Path baseDir) {
        Map<String, Map<String, String>> upstreamKeys = new TreeMap<>();
        Map<String, Map<String, String>> routeKeys = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
            String key = e.getKey().strip();
            if (!key.startsWith("upstream.") && !key.startsWith("route.")) {
                continue;
            }
            Matcher m = KEY.matcher(key);
            if (!m.matches()) {
                throw error(key, "is not of the form upstream.NAME.KEY or route.NAME.KEY (NAME: letters, digits, '_', '-')");
            }
            boolean isUpstream = m.group(1).equals("upstream");
            String sub = m.group(3);
            if (isUpstream ? !UPSTREAM_KEYS.contains(sub) : !ROUTE_KEYS.contains(sub) && !sub.startsWith(REDACT_PATTERN)) {
                throw error(key, "is not a known key: use one of " + String.join(", ",
                        (isUpstream ? UPSTREAM_KEYS : ROUTE_KEYS).stream().sorted().toList())
                        + (isUpstream ? "" : ", redact.pattern.LABEL"));
            }
            (isUpstream ? upstreamKeys : routeKeys).computeIfAbsent(m.group(2), n -> new TreeMap<>())
                    .put(sub, e.getValue().strip());
        }
        Map<String, Upstream> upstreams = new TreeMap<>();
        upstreamKeys.forEach((name, keys) -> upstreams.put(name, upstream(name, keys, env, baseDir)));
        List<Route> routes = new ArrayList<>();
        routeKeys.forEach((name, keys) -> routes.add(route(name, keys, upstreams)));
        return new RoutingConfig(upstreams, routes);
    }

    private static Upstream upstream(String name, Map<String, String> keys, Function<String, String> env, Path baseDir) {
        String prefix = "upstream." + name + ".";
        String url = required(keys, prefix, "url", "the upstream's API base URL, e.g. http://10.0.0.5:8080/v1");
        String model = required(keys, prefix, "model", "the model to ask the upstream for");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw error(prefix + "url", "is '" + url + "', not a URL: give e.g. http://10.0.0.5:8080/v1");
        }
        String key = null;
        if (keys.containsKey("api-key-env") && keys.containsKey("api-key-file")) {
            throw error(prefix + "api-key-env", "and " + prefix + "api-key-file are both set: keep one");
        }
        if (keys.containsKey("api-key-env")) {
            String variable = keys.get("api-key-env");
            key = env.apply(variable);
            if (key == null || key.isBlank()) {
                throw error(prefix + "api-key-env", "names the environment variable " + variable
                        + ", which is not set: export it before starting slm");
            }
            key = key.strip();
        } else if (keys.containsKey("api-key-file")) {
            Path file = baseDir == null ? Path.of(keys.get("api-key-file")) : baseDir.resolve(keys.get("api-key-file"));
            try {
                key = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw error(prefix + "api-key-file", "names " + file + ", which cannot be read: " + e.getMessage());
            }
            if (key.isEmpty()) {
                throw error(prefix + "api-key-file", "names " + file + ", which is empty: put the API key in it");
            }
        }
        try {
            return new Upstream(name, uri, model, key,
                    duration(keys, prefix, "connect-timeout", Upstream.DEFAULT_CONNECT_TIMEOUT),
                    duration(keys, prefix, "timeout", Upstream.DEFAULT_TIMEOUT),
                    duration(keys, prefix, "idle-timeout", Upstream.DEFAULT_IDLE_TIMEOUT),
                    number(keys, prefix, "cost-per-1k-input", 0), number(keys, prefix, "cost-per-1k-output", 0));
        } catch (IllegalArgumentException e) {
            throw new SlmException("routing config: " + e.getMessage(), e);
        }
    }

    private static Route route(String name, Map<String, String> keys, Map<String, Upstream> upstreams) {
        String prefix = "route." + name + ".";
        Route.Builder b = Route.builder(name);
        b.models(list(keys.get("models")));
        if (keys.containsKey("local")) {
            b.localModel(keys.get("local"));
            if (!keys.containsKey("models")) {
                b.models(keys.get("local"));
            }
        }
        if (keys.containsKey("upstream")) {
            Upstream u = upstreams.get(keys.get("upstream"));
            if (u == null) {
                throw error(prefix + "upstream", "names '" + keys.get("upstream") + "', which is not configured: add "
                        + "upstream." + keys.get("upstream") + ".url and .model, or use one of " + upstreams.keySet());
            }
            b.upstream(u);
        }
        String privacy = keys.getOrDefault("privacy", "allow-upstream");
        switch (privacy) {
            case "allow-upstream" -> b.localOnly(false);
            case "local-only" -> b.localOnly(true);
            default -> throw error(prefix + "privacy", "is '" + privacy + "': use local-only or allow-upstream");
        }
        String images = keys.getOrDefault("images", "allow-upstream");
        switch (images) {
            case "allow-upstream" -> b.imagesLocal(false);
            case "local" -> b.imagesLocal(true);
            default -> throw error(prefix + "images", "is '" + images + "': use local or allow-upstream");
        }
        if (keys.containsKey("escalate.prompt-chars")) {
            b.rule(new EscalationRule.PromptChars(count(keys, prefix, "escalate.prompt-chars")));
        }
        if (keys.containsKey("escalate.prompt-tokens")) {
            b.rule(new EscalationRule.PromptTokens(count(keys, prefix, "escalate.prompt-tokens")));
        }
        if (keys.containsKey("escalate.models")) {
            b.rule(new EscalationRule.RequestedModel(list(keys.get("escalate.models"))));
        }
        if (keys.containsKey("escalate.header")) {
            String[] nv = pair(keys, prefix, "escalate.header", "x-slm-route: upstream");
            b.rule(new EscalationRule.HeaderEquals(nv[0], nv[1]));
        }
        if (keys.containsKey("escalate.metadata")) {
            String[] kv = pair(keys, prefix, "escalate.metadata", "route: upstream");
            b.rule(new EscalationRule.MetadataEquals(kv[0], kv[1]));
        }
        if (keys.containsKey("escalate.regex")) {
            b.rule(new EscalationRule.TextMatches(regex(prefix + "escalate.regex", keys.get("escalate.regex"))));
        }
        if (keys.containsKey("escalate.confidence-below")) {
            double threshold = number(keys, prefix, "escalate.confidence-below", 0);
            if (threshold > 1) {
                throw error(prefix + "escalate.confidence-below", "is " + threshold + ": give a number from 0 to 1");
            }
            ConfidenceRule defaults = ConfidenceRule.below(threshold);
            int samples = keys.containsKey("confidence.samples") ? count(keys, prefix, "confidence.samples") : defaults.samples();
            int tokens = keys.containsKey("confidence.tokens") ? count(keys, prefix, "confidence.tokens") : defaults.tokens();
            float temperature = (float) number(keys, prefix, "confidence.temperature", defaults.temperature());
            if (samples < 2 || !(temperature > 0)) {
                throw error(prefix + "confidence.samples", "needs at least 2 samples and a temperature above 0");
            }
            b.confidence(new ConfidenceRule(threshold, samples, tokens, temperature));
        } else if (keys.keySet().stream().anyMatch(k -> k.startsWith("confidence."))) {
            throw error(prefix + "confidence.*", "is set without " + prefix + "escalate.confidence-below: set the threshold too");
        }
        if (keys.containsKey("escalate.on-local-failure")) {
            b.escalateOnLocalFailure(failureKinds(prefix + "escalate.on-local-failure", keys.get("escalate.on-local-failure")));
        }
        if (keys.containsKey("fallback-to-local")) {
            b.fallbackToLocal(bool(keys, prefix, "fallback-to-local"));
        }
        List<PiiDetector> detectors = new ArrayList<>();
        keys.forEach((k, v) -> {
            if (k.startsWith(REDACT_PATTERN)) {
                try {
                    detectors.add(PiiDetector.custom(k.substring(REDACT_PATTERN.length()), regex(prefix + k, v)));
                } catch (IllegalArgumentException e) {
                    throw error(prefix + k, e.getMessage());
                }
            }
        });
        for (String kind : list(keys.get("redact"))) {
            try {
                detectors.add(PiiDetector.builtIn(kind));
            } catch (IllegalArgumentException e) {
                throw error(prefix + "redact", e.getMessage());
            }
        }
        b.redactor(Redactor.of(detectors));
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new SlmException("routing config: " + e.getMessage() + " (" + prefix + "models)", e);
        }
    }

    private static Set<LocalFailureException.Kind> failureKinds(String key, String value) {
        Set<LocalFailureException.Kind> kinds = EnumSet.noneOf(LocalFailureException.Kind.class);
        for (String name : list(value)) {
            if (name.equals("none")) {
                continue;
            }
            kinds.add(Arrays.stream(LocalFailureException.Kind.values()).filter(k -> k.configName().equals(name))
                    .findFirst().orElseThrow(() -> error(key, "has '" + name + "': use model-missing, out-of-memory,"
                            + " queue-full, error, or none")));
        }
        return kinds;
    }

    private static Set<String> list(String value) {
        Set<String> items = new LinkedHashSet<>();
        if (value != null) {
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.strip());
                }
            }
        }
        return items;
    }

    private static String[] pair(Map<String, String> keys, String prefix, String key, String example) {
        String value = keys.get(key);
        int colon = value.indexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw error(prefix + key, "is '" + value + "': give NAME: VALUE, e.g. " + example);
        }
        return new String[] {value.substring(0, colon).strip(), value.substring(colon + 1).strip()};
    }

    private static Pattern regex(String key, String value) {
        try {
            return Pattern.compile(value);
        } catch (PatternSyntaxException e) {
            throw error(key, "is not a valid regular expression: " + e.getDescription() + " at index " + e.getIndex());
        }
    }

    private static String required(Map<String, String> keys, String prefix, String key, String what) {
        String value = keys.get(key);
        if (value == null || value.isBlank()) {
            throw new SlmException("routing config: " + prefix + key + " is missing: set it to " + what);
        }
        return value;
    }

    private static int count(Map<String, String> keys, String prefix, String key) {
        try {
            int n = Integer.parseInt(keys.get(key));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw error(prefix + key, "is '" + keys.get(key) + "': give a whole number above 0");
    }

    private static double number(Map<String, String> keys, String prefix, String key, double fallback) {
        if (!keys.containsKey(key)) {
            return fallback;
        }
        try {
            double v = Double.parseDouble(keys.get(key));
            if (v >= 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw error(prefix + key, "is '" + keys.get(key) + "': give a number of 0 or more");
    }

    private static boolean bool(Map<String, String> keys, String prefix, String key) {
        return switch (keys.get(key).toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(prefix + key, "is '" + keys.get(key) + "': give true or false");
        };
    }

    private static Duration duration(Map<String, String> keys, String prefix, String key, Duration fallback) {
        if (!keys.containsKey(key)) {
            return fallback;
        }
        Matcher m = DURATION.matcher(keys.get(key));
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw error(prefix + key, "is '" + keys.get(key) + "': give a positive duration such as 500ms, 30s or 2m");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static SlmException error(String key, String problem) {
        return new SlmException("routing config: " + key + " " + problem);
    }
}
