package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.FixtureVariants;
import dev.slm.server.SlmServer;
import dev.slm.server.config.ConfigFile;
import dev.slm.server.config.ServerConfigBinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official {@code ollama} npm package against a real {@code slm serve}'s Ollama API: chat and
 * generate (streamed and not), embed, list, show, ps, tools and a tool result. Installed from the
 * npm registry into target/node-client (pinned by package-lock.json); skipped without node and npm.
 */
class OllamaNodeClientTest {
    private static final String KEY = "test-key-0002";

    @Test
    void officialOllamaClientWorksAgainstTheServer(@TempDir Path tmp) throws Exception {
        assumeTrue(ExternalTool.available("node", "--version") && ExternalTool.available("npm", "--version"),
                "node and npm are not installed: skipping the official Ollama client test");
        Path source = Path.of("src/test/node").toAbsolutePath();
        Path dir = Path.of("target/node-client").toAbsolutePath();
        Files.createDirectories(dir);
        for (String f : new String[] {"package.json", "package-lock.json", "ollama.mjs"}) {
            Files.copy(source.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(dir.resolve("node_modules/openai")) || !Files.isDirectory(dir.resolve("node_modules/ollama"))) {
            ExternalTool install = ExternalTool.run(dir, 300, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
            assumeTrue(install.exitCode() == 0, "npm ci could not install the ollama package (offline?): " + install.tail());
        }
        Path agent = tmp.resolve("agent.gguf");
        Files.write(agent, FixtureVariants.withToolCallingTemplate());
        SlmServer server = SlmServer.start(ServerConfigBinder.bind(ConfigFile.parse("""
                host = 127.0.0.1
                port = 0
                threads = 1
                api_keys = %s
                [model.stories]
                path = %s
                context = 256
                [model.stories-embed]
                path = %s
                embeddings = true
                [model.agent]
                path = %s
                context = 2048
                """.formatted(KEY, FixtureModel.path(), FixtureModel.path(), agent), "ollama-test.conf")));
        try {
            ExternalTool client = ExternalTool.run(dir, 240, "node", "ollama.mjs", "http://127.0.0.1:" + server.port(), KEY);
            assertEquals(0, client.exitCode(), client.tail());
            JsonNode out = new ObjectMapper().readTree(client.stdout());

            JsonNode chat = out.get("chat");
            assertEquals("assistant", chat.get("role").asText());
            assertTrue(chat.get("done").asBoolean());
            assertEquals("length", chat.get("reason").asText());
            assertEquals(12, chat.get("evalCount").asInt());
            assertEquals(chat.get("content").asText(), out.at("/chatStream/content").asText(), "streamed and whole agree");
            assertTrue(out.at("/chatStream/parts").asInt() > 1, "streamed in parts");
            assertEquals(12, out.at("/chatStream/evalCount").asInt());

            assertTrue(out.at("/generate/response").asText().startsWith(", there was"), out.get("generate").toString());
            assertEquals(out.at("/generate/response").asText(), out.at("/generateStream/response").asText());

            assertEquals(2, out.at("/embed/count").asInt());
            assertEquals(64, out.at("/embed/dims").asInt());
            assertEquals(3, out.get("list").size());
            assertEquals("llama", out.at("/list/0/family").asText());
            assertTrue(out.at("/show/capabilities").toString().contains("tools"), out.get("show").toString());
            assertTrue(out.get("ps").size() >= 1);

            JsonNode call = out.at("/tools/calls/0/function");
            assertEquals("get_weather", call.get("name").asText(), out.get("tools").toString());
            String city = call.at("/arguments/city").asText();
            assertTrue(city.equals("Paris") || city.equals("London"), call.toString());
            assertEquals("assistant", out.at("/toolResult/role").asText());

            assertEquals(512, out.at("/sized/context").asInt(), "options.num_ctx applied: " + out.get("sized"));
            java.time.Duration left = java.time.Duration.between(java.time.Instant.now(),
                    java.time.Instant.parse(out.at("/sized/expires").asText()));
            assertTrue(left.toMinutes() >= 55 && left.toMinutes() <= 60, "keep_alive 1h: " + out.get("sized"));
            assertEquals("unload", out.at("/unloaded/reason").asText(), out.get("unloaded").toString());
            assertTrue(out.at("/unloaded/gone").asBoolean(), "keep_alive 0 unloaded the model: " + out.get("unloaded"));

            assertEquals(404, out.at("/notFound/status").asInt(), out.get("notFound").toString());
            assertTrue(out.at("/notFound/message").asText().contains("nope"), out.get("notFound").toString());
        } finally {
            server.shutdown(Duration.ofSeconds(5));
        }
    }
}
