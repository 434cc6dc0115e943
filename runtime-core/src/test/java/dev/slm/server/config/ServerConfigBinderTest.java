package dev.slm.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.fixtures.FixtureModel;
import dev.slm.store.ModelImport;
import dev.slm.store.ModelStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigBinderTest {
    private static final String MODEL = FixtureModel.path().toString();

    private static ServerConfig bind(String text) {
        return ServerConfigBinder.bind(ConfigFile.parse(text, "slm.conf"));
    }

    private static List<String> problems(String text) {
        return assertThrows(ConfigException.class, () -> bind(text)).problems();
    }

    @Test
    void aliasesAreOtherNamesForOneModelEach() {
        ServerConfig c = bind("[model.stories]\npath = " + MODEL + "\naliases = tale, gpt-4o-mini\n");
        assertEquals(List.of("tale", "gpt-4o-mini"), c.models().getFirst().aliases());
        List<String> p = problems("[model.a]\npath = " + MODEL + "\naliases = b\n[model.b]\npath = " + MODEL
                + "\n[model.c]\npath = " + MODEL + "\naliases = bad name\n");
        assertTrue(p.stream().anyMatch(l -> l.contains("alias 'b' is already")), p.toString());
        assertTrue(p.stream().anyMatch(l -> l.contains("alias 'bad name'")), p.toString());
        assertTrue(problems("aliases = x\n[model.a]\npath = " + MODEL + "\n").getFirst().contains("unknown key 'aliases'"));
    }

    @Test
    void defaultsAreSafeForAService() {
        ServerConfig c = bind("[model.stories]\npath = " + MODEL + "\n");
        assertEquals("127.0.0.1", c.host(), "loopback unless told otherwise");
        assertEquals(8080, c.port());
        assertTrue(c.apiKeys().isEmpty());
        assertTrue(c.corsOrigins().isEmpty(), "CORS off");
        assertEquals(2L << 20, c.maxBodyBytes());
        assertEquals(4096, c.maxTokens());
        assertEquals(Duration.ofMinutes(10), c.requestTimeout());
        assertEquals(Duration.ofSeconds(30), c.shutdownGrace());
        assertTrue(c.memoryBudget() > 0 && c.memoryBudget() <= ServerConfigBinder.physicalMemory());
        ModelConfig m = c.models().getFirst();
        assertEquals("stories", m.name());
        assertEquals(1, m.options().parallel());
        assertEquals(Duration.ofMinutes(5), m.keepAlive());
        assertEquals(8, m.queue());
        assertFalse(m.preload());
    }

    @Test
    void readsEveryKeyWithUnitsQuotesAndComments() {
        ServerConfig c = bind("""
                # slm serve
                host = 0.0.0.0
                port = 9000          # comment after a value
                api_keys = first-key-0001, second-key-002
                cors_origins = https://app.example, http://localhost:3000
                max_body = 512KiB
                max_tokens = 256
                request_timeout = 90s
                shutdown_grace = 2m
                load_timeout = 1h
                memory_budget = 6GiB
                parallel = 3

                [model.qwen2.5:0.5b]
                path = %s
                context = 1024
                threads = 2
                batch = 64
                gpu_layers = -1
                embeddings = yes
                keep_alive = never
                queue = 0
                preload = true
                [model.other]
                path = %s
                parallel = 1
                keep_alive = 500ms
                """.formatted(MODEL, MODEL));
        assertEquals("0.0.0.0", c.host());
        assertEquals(9000, c.port());
        assertEquals(List.of("first-key-0001", "second-key-002"), c.apiKeys());
        assertEquals(List.of("https://app.example", "http://localhost:3000"), c.corsOrigins());
        assertEquals(512L * 1024, c.maxBodyBytes());
        assertEquals(256, c.maxTokens());
        assertEquals(Duration.ofSeconds(90), c.requestTimeout());
        assertEquals(Duration.ofMinutes(2), c.shutdownGrace());
        assertEquals(Duration.ofHours(1), c.loadTimeout());
        assertEquals(6L << 30, c.memoryBudget());
        ModelConfig q = c.model("qwen2.5:0.5b").orElseThrow();
        assertEquals(1024, q.launch().contextSize());
        assertEquals(2, q.launch().threads());
        assertEquals(64, q.launch().batchSize().getAsInt());
        assertEquals(-1, q.launch().gpuLayers().getAsInt());
        assertEquals(3, q.options().parallel(), "a server-wide model key is a default for every model");
        assertTrue(q.options().embeddings());
        assertTrue(q.keepsForever());
        assertEquals(0, q.queue());
        assertTrue(q.preload());
        ModelConfig other = c.model("other").orElseThrow();
        assertEquals(1, other.options().parallel(), "a model's own key wins over the default");
        assertEquals(Duration.ofMillis(500), other.keepAlive());
    }

    @Test
    void quotedValueKeepsItsHashAndTheListSplitsOnCommas() {
        ServerConfig c = bind("api_keys = \"abc#defghij, klmnopqrst\"\n[model.m]\npath = " + MODEL + "\n");
        assertEquals(List.of("abc#defghij", "klmnopqrst"), c.apiKeys());
    }

    @Test
    void laterSettingsWinSoFlagsOverrideEnvironmentOverrideTheFile() {
        List<ConfigSetting> settings = new ArrayList<>(ConfigFile.parse("port = 1000\nhost = 127.0.0.1\n[model.m]\npath = " + MODEL + "\n", "f"));
        settings.addAll(ServerConfigBinder.environment(Map.of("SLM_PORT", "2000", "SLM_HOST", "::1", "UNRELATED", "x")));
        settings.add(ConfigSetting.parseAssignment("port=3000", "--set"));
        settings.add(ConfigSetting.parseAssignment("model.m.parallel=4", "--set"));
        ServerConfig c = ServerConfigBinder.bind(settings);
        assertEquals(3000, c.port());
        assertEquals("::1", c.host());
        assertEquals(4, c.model("m").orElseThrow().options().parallel());
    }

    @Test
    void apiKeysFileIsReadLineByLine(@TempDir Path dir) throws IOException {
        Path keys = dir.resolve("keys");
        Files.writeString(keys, "# operators\nfirst-key-0001\n\nsecond-key-002\n");
        ServerConfig c = bind("api_keys_file = " + keys + "\n[model.m]\npath = " + MODEL + "\n");
        assertEquals(List.of("first-key-0001", "second-key-002"), c.apiKeys());
    }

    @Test
    void everyProblemIsReportedWithWhereItIs() {
        List<String> p = problems("""
                port = 99999
                prot = 1
                max_tokens = lots
                request_timeout = soon
                memory_budget = 150%
                cors_origins = example.com
                api_keys = short
                [model.m]
                path = /no/such/model.gguf
                parallel = 0
                keep_alive = 5 minutes
                colour = blue
                """);
        assertEquals(11, p.size(), String.join("\n", p));
        assertTrue(p.get(0).startsWith("slm.conf:2: unknown key 'prot'"), p.get(0));
        assertTrue(p.stream().anyMatch(s -> s.startsWith("slm.conf:1: port must be between 0 and 65535")), String.join("\n", p));
        assertTrue(p.stream().anyMatch(s -> s.startsWith("slm.conf:3: max_tokens must be a whole number")));
        assertTrue(p.stream().anyMatch(s -> s.startsWith("slm.conf:4: request_timeout must be a duration")));
        assertTrue(p.stream().anyMatch(s -> s.startsWith("slm.conf:5: memory_budget percentage")));
        assertTrue(p.stream().anyMatch(s -> s.startsWith("slm.conf:6: CORS origin 'example.com'")));
        assertTrue(p.stream().anyMatch(s -> s.startsWith("slm.conf:7: API keys must be at least 8 characters")));
        assertTrue(p.stream().anyMatch(s -> s.startsWith("slm.conf:9: model file /no/such/model.gguf does not exist")));
        assertTrue(p.stream().anyMatch(s -> s.startsWith("slm.conf:10: parallel must be between 1 and 256")));
        assertTrue(p.stream().anyMatch(s -> s.startsWith("slm.conf:11: keep_alive must be a duration")));
        assertTrue(p.stream().anyMatch(s -> s.startsWith("slm.conf:12: unknown key 'colour' in model 'm' (known: path, model, context")));
        assertTrue(p.stream().noneMatch(s -> s.contains("\n")), "one line each");
    }

    @Test
    void syntaxErrorsNameTheLine() {
        List<String> p = assertThrows(ConfigException.class, () -> ConfigFile.parse("""
                host 127.0.0.1
                [server]
                [model.bad name]
                Port = 1
                key = "unterminated
                """, "slm.conf")).problems();
        assertEquals(List.of(
                "slm.conf:1: expected 'key = value', got 'host 127.0.0.1'",
                "slm.conf:2: unknown section [server]; the only sections are [model.NAME]",
                "slm.conf:3: model name 'bad name' must be letters, digits and . _ : - (at most 128)",
                "slm.conf:4: 'Port' is not a valid key (lower case letters, digits and _)",
                "slm.conf:5: unterminated quoted value"), p);
    }

    @Test
    void noModelIsAProblemWithItsFix() {
        assertEquals(List.of("no models configured: add a [model.NAME] section with a path or a pulled model's name to the config file, or pass --model NAME=PATH"),
                problems("port = 8080\n"));
    }

    /** The config the packages install: it must start with an empty store, and serve what is pulled into it. */
    @Test
    void theInstalledDefaultConfigServesTheStore(@TempDir Path dir) throws IOException {
        Path conf = Path.of("..", "packaging", "etc", "slm.conf"); // tests run in runtime-core/
        String text = Files.readString(conf).replace("/var/lib/slm/models", dir.resolve("models").toString());
        ServerConfig empty = ServerConfigBinder.bind(ConfigFile.parse(text, "slm.conf"));
        assertTrue(empty.models().isEmpty(), "an empty store is no error");
        ModelStore store = ModelStore.at(dir.resolve("models"));
        new ModelImport(store).importFile(FixtureModel.path(), "stories");
        ServerConfig one = ServerConfigBinder.bind(ConfigFile.parse(text + "parallel = 2\n", "slm.conf"));
        assertEquals(List.of("stories"), one.models().stream().map(ModelConfig::name).toList());
        assertEquals(store.modelFile("stories").orElseThrow(), one.models().getFirst().path());
        assertEquals(2, one.models().getFirst().options().parallel(), "model defaults apply");
    }

    @Test
    void aModelPulledIntoTheStoreIsNamedInsteadOfItsPath(@TempDir Path dir) {
        ModelStore store = ModelStore.at(dir.resolve("models"));
        new ModelImport(store).importFile(FixtureModel.path(), "stories");
        ServerConfig c = bind("models_dir = " + dir.resolve("models") + "\n[model.tiny]\nmodel = stories\n");
        assertEquals(store.modelFile("stories").orElseThrow(), c.models().getFirst().path());
        assertEquals("tiny", c.models().getFirst().name());
    }

    @Test
    void aModelNotInTheStoreOrNamedTwiceSaysHowToFixIt(@TempDir Path dir) {
        Path models = dir.resolve("models");
        assertEquals(List.of("slm.conf:3: model qwen2.5-0.5b-instruct is not in the model store " + models
                + ": pull it as the server's user (`slm pull qwen2.5-0.5b-instruct --models-dir " + models
                + "`), or set models_dir"), problems("models_dir = " + models + "\n[model.q]\nmodel = qwen2.5-0.5b-instruct\n"));
        assertEquals(List.of("slm.conf:3: give either 'path = /path/to/model.gguf' or 'model = NAME' (a model pulled with"
                + " `slm pull NAME`) in its [model.q] section, not both"), problems("[model.q]\npath = " + MODEL + "\nmodel = q\n"));
        assertEquals(List.of("model 'q': give either 'path = /path/to/model.gguf' or 'model = NAME' (a model pulled with"
                + " `slm pull NAME`) in its [model.q] section"), problems("[model.q]\ncontext = 512\n"));
    }

    @Test
    void missingFileSaysSo(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.read(dir.resolve("slm.conf")));
        assertTrue(e.getMessage().endsWith("slm.conf: no such file (create it, or pass --config with an existing file)"), e.getMessage());
    }

    @Test
    void sizesAndDurations() {
        assertEquals(1536, ServerConfigBinder.parseSize("1.5KiB"));
        assertEquals(2_000_000_000L, ServerConfigBinder.parseSize("2GB"));
        assertEquals(3L << 30, ServerConfigBinder.parseSize("3G"));
        assertEquals(100, ServerConfigBinder.parseSize("100"));
        assertThrows(IllegalArgumentException.class, () -> ServerConfigBinder.parseSize("-1MiB"));
        assertThrows(IllegalArgumentException.class, () -> ServerConfigBinder.parseSize("99999999999TiB"));
        assertEquals(Duration.ofSeconds(45), ServerConfigBinder.parseDuration("45"));
        assertEquals(Duration.ofDays(1), ServerConfigBinder.parseDuration("1d"));
        assertThrows(IllegalArgumentException.class, () -> ServerConfigBinder.parseDuration("99999999999999999999h"));
        assertThrows(IllegalArgumentException.class, () -> ServerConfigBinder.parseDuration("-5s"));
    }
}
