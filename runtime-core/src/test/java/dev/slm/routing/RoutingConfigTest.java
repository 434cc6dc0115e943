package dev.slm.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import dev.slm.routing.local.LocalFailureException;
import dev.slm.routing.upstream.Upstream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingConfigTest {
    private static final Map<String, String> ENV = Map.of("SLM_BIG_KEY", "sk-from-env");

    /** The example the README documents, exactly as written there. */
    static String readmeExample() throws IOException {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (!Files.exists(dir.resolve("models.lock"))) {
            dir = dir.getParent();
        }
        String readme = Files.readString(dir.resolve("README.md"));
        int section = readme.indexOf("## Hybrid routing");
        int start = readme.indexOf("```properties\n", section) + "```properties\n".length();
        return readme.substring(start, readme.indexOf("```", start));
    }

    static Map<String, String> properties(String text) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(text));
        Map<String, String> map = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k)));
        return map;
    }

    private static RoutingConfig parse(Map<String, String> props) {
        return RoutingConfig.parse(props, ENV::get, null);
    }

    @Test
    void theReadmeExampleParsesIntoWhatItSays() throws IOException {
        RoutingConfig config = parse(properties(readmeExample()));
        Upstream big = config.upstreams().get("big");
        assertEquals("http://10.0.0.5:8080/v1/", big.baseUrl().toString());
        assertEquals("http://10.0.0.5:8080/v1/chat/completions",
                big.endpointUri(dev.slm.openai.CompletionEndpoint.CHAT_COMPLETIONS).toString());
        assertEquals("llama-3.1-8b", big.model());
        assertEquals("sk-from-env", big.apiKey());
        assertFalse(big.toString().contains("sk-from-env"), "the key is never printed");
        assertEquals(Duration.ofSeconds(60), big.timeout());
        assertEquals(Duration.ofSeconds(20), big.idleTimeout());
        assertEquals(Upstream.DEFAULT_CONNECT_TIMEOUT, big.connectTimeout());
        assertEquals(0.0005 + 0.0015, big.cost(1000, 1000), 1e-12);

        Route auto = config.routeFor("auto").orElseThrow();
        assertEquals(auto, config.routeFor("big").orElseThrow(), "escalate.models names belong to the route");
        assertEquals("tiny", auto.localModelFor("auto"));
        assertEquals(Optional.of(big), auto.escalationTarget());
        assertEquals(4, auto.rules().size());
        assertTrue(auto.rules().contains(new EscalationRule.PromptChars(2000)));
        assertTrue(auto.rules().contains(new EscalationRule.HeaderEquals("x-slm-route", "upstream")));
        EscalationRule.TextMatches regex = (EscalationRule.TextMatches) auto.rules().stream()
                .filter(r -> r instanceof EscalationRule.TextMatches).findFirst().orElseThrow();
        assertEquals("(?i)\\b(contract|diagnos\\w*|proof)\\b", regex.pattern().pattern());
        assertEquals(0.4, auto.confidence().orElseThrow().threshold());
        assertEquals(5, auto.confidence().orElseThrow().samples());
        assertEquals(List.of("EMPLOYEE", "EMAIL", "PHONE", "CARD", "IBAN"), auto.redactor().labels());
        assertEquals(Route.DEFAULT_ESCALATE_ON, auto.escalateOnLocalFailure());
        assertTrue(auto.fallbackToLocal());

        Route secret = config.routeFor("tiny").orElseThrow();
        assertTrue(secret.localOnly());
        assertEquals(Optional.empty(), secret.escalationTarget());
        assertEquals(Optional.empty(), config.routeFor("other"));
    }

    @Test
    void anApiKeyFileIsReadRelativeToTheConfig(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("big.key"), "sk-from-file\n");
        Path file = dir.resolve("routing.properties");
        Files.writeString(file, """
                upstream.big.url=https://api.example.com/v1
                upstream.big.model=gpt-x
                upstream.big.api-key-file=big.key
                upstream.big.connect-timeout=750ms
                route.r.local=tiny
                route.r.upstream=big
                route.r.escalate.on-local-failure=queue-full, error
                route.r.fallback-to-local=false
                server.port=8080
                """);
        RoutingConfig config = RoutingConfig.load(file);
        assertEquals("sk-from-file", config.upstreams().get("big").apiKey());
        assertEquals(Duration.ofMillis(750), config.upstreams().get("big").connectTimeout());
        Route r = config.routeFor("tiny").orElseThrow();
        assertEquals(Set.of(LocalFailureException.Kind.QUEUE_FULL, LocalFailureException.Kind.ERROR),
                r.escalateOnLocalFailure());
        assertFalse(r.fallbackToLocal());
    }

    @Test
    void mistakesAreOneLineErrorsThatNameTheKeyAndTheFix() {
        Map<String, String> good = Map.of("upstream.big.url", "http://h:1/v1", "upstream.big.model", "m",
                "route.r.local", "tiny", "route.r.upstream", "big");
        assertError(good, Map.of("upstream.big.url", ""), "upstream.big.url is missing: set it to");
        assertError(good, Map.of("upstream.big.url", "ftp://h/v1"), "is not an http(s) URL");
        assertError(good, Map.of("route.r.escalate.prompt-char", "10"),
                "route.r.escalate.prompt-char is not a known key");
        assertError(good, Map.of("upstream.big.timeout", "soon"), "upstream.big.timeout is 'soon': give a positive duration");
        assertError(good, Map.of("route.r.upstream", "huge"), "route.r.upstream names 'huge', which is not configured");
        assertError(good, Map.of("upstream.big.api-key-env", "NOT_SET"),
                "names the environment variable NOT_SET, which is not set");
        assertError(good, Map.of("route.s.models", "tiny"), "model 'tiny' is handled by routes 'r' and 's'");
        assertError(good, Map.of("route.r.privacy", "private"), "route.r.privacy is 'private': use local-only");
        assertError(good, Map.of("route.r.escalate.regex", "(unclosed"), "route.r.escalate.regex is not a valid regular expression");
        assertError(good, Map.of("route.r.confidence.samples", "3"), "set without route.r.escalate.confidence-below");
        assertError(good, Map.of("route.r.escalate.confidence-below", "1.5"), "give a number from 0 to 1");
        assertError(good, Map.of("route.r.escalate.header", "x-slm-route"), "give NAME: VALUE");
        assertError(good, Map.of("route.r.redact", "email,ssn"), "unknown redaction 'ssn'");
        assertError(good, Map.of("route.r.escalate.on-local-failure", "oom"), "has 'oom': use model-missing");
        assertError(Map.of("route.q.upstream", "big", "upstream.big.url", "http://h:1/v1", "upstream.big.model", "m",
                "route.q.escalate.models", "large"), Map.of(), "needs the local model");
    }

    private static void assertError(Map<String, String> base, Map<String, String> change, String expected) {
        Map<String, String> props = new HashMap<>(base);
        props.putAll(change);
        SlmException e = assertThrows(SlmException.class, () -> parse(props), change.toString());
        assertTrue(e.getMessage().startsWith("routing config: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
