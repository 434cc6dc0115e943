package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.FixtureVariants;
import dev.slm.fixtures.Wait;
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
 * The official {@code openai} npm package against a real {@code slm serve}: what OpenAI clients send
 * and expect, checked by one of them. The package is installed from the npm registry into
 * target/node-client (pinned by package-lock.json); without node and npm the test is skipped.
 */
class OpenAiNodeClientTest {
    private static final String KEY = "test-key-0001";

    /** The client installed in target/node-client, or the test skipped where it cannot be. */
    private static Path installedClient() throws Exception {
        assumeTrue(ExternalTool.available("node", "--version") && ExternalTool.available("npm", "--version"),
                "node and npm are not installed: skipping the official OpenAI client test");
        Path source = Path.of("src/test/node").toAbsolutePath();
        Path dir = Path.of("target/node-client").toAbsolutePath();
        Files.createDirectories(dir);
        for (String f : new String[] {"package.json", "package-lock.json", "client.mjs", "tools.mjs"}) {
            Files.copy(source.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(dir.resolve("node_modules/openai")) || !Files.isDirectory(dir.resolve("node_modules/ollama"))) {
            ExternalTool install = ExternalTool.run(dir, 300, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
            assumeTrue(install.exitCode() == 0, "npm ci could not install the openai package (offline?): " + install.tail());
        }
        return dir;
    }

    /** A server of one model, "agent": the fixture with a chat template that renders tools. */
    private static SlmServer agentServer(Path model, String settings) throws Exception {
        Files.write(model, FixtureVariants.withToolCallingTemplate());
        return SlmServer.start(ServerConfigBinder.bind(ConfigFile.parse("""
                host = 127.0.0.1
                port = 0
                threads = 1
                api_keys = %s
                %s
                [model.agent]
                path = %s
                context = 2048
                """.formatted(KEY, settings, model), "node-tools.conf")));
    }

    @Test
    void toolCallsWithTheOfficialClient(@TempDir Path tmp) throws Exception {
        Path dir = installedClient();
        SlmServer server = agentServer(tmp.resolve("agent.gguf"), "");
        try {
            ExternalTool client = ExternalTool.run(dir, 240, "node", "tools.mjs", "tools",
                    "http://127.0.0.1:" + server.port() + "/v1", KEY);
            assertEquals(0, client.exitCode(), client.tail());
            JsonNode out = new ObjectMapper().readTree(client.stdout());

            for (String part : new String[] {"required", "streamed", "helper"}) {
                JsonNode calls = out.at("/" + part + "/calls");
                assertEquals(1, calls.size(), part + ": " + out.get(part));
                assertEquals("get_weather", calls.at("/0/name").asText(), part);
                String city = new ObjectMapper().readTree(calls.at("/0/arguments").asText()).path("city").asText();
                assertTrue(city.equals("Paris") || city.equals("London"), part + ": " + calls);
                assertEquals("tool_calls", out.at("/" + part + "/finish").asText(), part);
            }
            assertEquals("agent", out.at("/required/model").asText());
            assertTrue(out.at("/required/calls/0/id").asText().length() > 0);
            assertEquals(0, out.at("/auto/calls").size(), "the fixture model does not call by itself: " + out.get("auto"));
            assertTrue(out.at("/auto/content").asText().length() > 0);
            assertEquals("assistant", out.at("/conversation/role").asText());
            assertTrue(out.at("/conversation/content").asText().length() > 0, out.get("conversation").toString());

            JsonNode responses = out.get("responses");
            assertEquals(1, responses.at("/calls").size(), responses.toString());
            assertEquals(1, responses.at("/streamed/calls").size(), responses.toString());
            for (JsonNode call : new JsonNode[] {responses.at("/calls/0"), responses.at("/streamed/calls/0")}) {
                assertEquals("get_weather", call.path("name").asText(), responses.toString());
                String city = new ObjectMapper().readTree(call.path("arguments").asText()).path("city").asText();
                assertTrue(city.equals("Paris") || city.equals("London"), responses.toString());
            }
            assertEquals(responses.at("/streamed/calls/0/arguments").asText(), responses.at("/streamed/arguments").asText());
            assertTrue(responses.at("/calls/0/call_id").asText().length() > 0, responses.toString());
            assertTrue(responses.at("/answer").asText().length() > 0, "answered after the function's output: " + responses);
        } finally {
            server.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void aStreamThatFailsMidwayRaisesInTheOfficialClient(@TempDir Path tmp) throws Exception {
        Path dir = installedClient();
        // A request timeout shorter than the generation: the stream has begun when it passes.
        SlmServer server = agentServer(tmp.resolve("agent.gguf"), "request_timeout = 2s");
        try {
            ExternalTool client = ExternalTool.run(dir, 120, "node", "tools.mjs", "error",
                    "http://127.0.0.1:" + server.port() + "/v1", KEY);
            assertEquals(0, client.exitCode(), client.tail());
            JsonNode error = new ObjectMapper().readTree(client.stdout()).get("error");
            assertEquals("APIError", error.get("name").asText(), error.toString());
            assertTrue(error.get("received").asInt() > 0, "the failure came mid-stream: " + error);
            assertTrue(error.get("message").asText().contains("request_timeout"), error.toString());
        } finally {
            server.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void officialClientWorksAgainstTheServer() throws Exception {
        Path dir = installedClient();

        Path projector = dir.resolve("mmproj.gguf");
        dev.slm.bench.SyntheticProjector.write(projector, Math.toIntExact(dev.slm.gguf.GgufReader.read(FixtureModel.path())
                .embeddingLength().orElseThrow()), 2);
        String image = "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(dev.slm.fixtures.TestImages.png(32));
        SlmServer server = SlmServer.start(ServerConfigBinder.bind(ConfigFile.parse("""
                host = 127.0.0.1
                port = 0
                threads = 1
                api_keys = %s
                [model.stories]
                path = %s
                parallel = 2
                [model.stories-embed]
                path = %s
                embeddings = true
                [model.seer]
                path = %s
                projector = %s
                context = 512
                """.formatted(KEY, FixtureModel.path(), FixtureModel.path(), FixtureModel.path(), projector), "node-test.conf")));
        try {
            ExternalTool client = ExternalTool.run(dir, 240, "node", "client.mjs", "http://127.0.0.1:" + server.port() + "/v1", KEY,
                    image);
            assertEquals(0, client.exitCode(), client.tail());
            JsonNode out = new ObjectMapper().readTree(client.stdout());

            assertEquals("[\"stories\",\"stories-embed\",\"seer\"]", out.get("models").toString());

            JsonNode chat = out.get("chat");
            assertEquals("chat.completion", chat.get("object").asText());
            assertEquals("assistant", chat.get("role").asText());
            assertEquals("length", chat.get("finish").asText());
            assertEquals(12, chat.at("/usage/completion_tokens").asInt());
            assertEquals(chat.at("/usage/prompt_tokens").asInt() + 12, chat.at("/usage/total_tokens").asInt());

            JsonNode stream = out.get("stream");
            assertEquals(chat.get("content").asText(), stream.get("text").asText(), "streamed and whole greedy answers agree");
            assertEquals("length", stream.get("finish").asText());
            assertEquals(chat.get("usage"), stream.get("usage"), "usage arrives in the last chunk");
            assertEquals(12, stream.get("contentChunks").asInt(), "one chunk per token");

            JsonNode early = out.get("early");
            assertEquals(1, early.get("activeAtFirstChunk").asInt(), "the first chunk arrived while the generation was running");
            Wait.until("the abandoned stream's slot to come free", Duration.ofSeconds(10),
                    () -> server.metrics().disconnects.get() >= 1 && server.models().activeRequests() == 0);

            JsonNode completion = out.get("completion");
            assertEquals("text_completion", completion.get("object").asText());
            assertTrue(completion.get("text").asText().startsWith(", there was a little girl"), completion.toString());
            assertEquals(5, completion.at("/usage/prompt_tokens").asInt());
            assertEquals(10, completion.at("/usage/completion_tokens").asInt());

            JsonNode embeddings = out.get("embeddings");
            assertEquals(2, embeddings.get("count").asInt());
            assertEquals(64, embeddings.get("dims").asInt());
            for (int i = 0; i < 4; i++) {
                assertEquals((float) embeddings.at("/floatHead/" + i).asDouble(), (float) embeddings.at("/head/" + i).asDouble(),
                        "the client's default (base64) decodes to the same float32 values as encoding_format float");
            }
            assertTrue(embeddings.at("/usage/prompt_tokens").asInt() > 5);

            JsonNode seer = out.get("image");
            assertTrue(seer.get("promptTokens").asInt() >= seer.get("textPromptTokens").asInt()
                    + dev.slm.bench.SyntheticProjector.TOKENS_PER_IMAGE, seer.toString());
            assertEquals(seer.get("content").asText(), seer.get("streamed").asText(), "streamed and whole answers agree");
            assertEquals(400, seer.at("/bad/status").asInt(), seer.toString());
            assertEquals("BadRequestError", seer.at("/bad/name").asText());

            assertEquals(404, out.at("/notFound/status").asInt());
            assertEquals("NotFoundError", out.at("/notFound/name").asText());
            assertEquals("model_not_found", out.at("/notFound/code").asText());
            assertEquals(400, out.at("/badRequest/status").asInt());
            assertEquals("BadRequestError", out.at("/badRequest/name").asText());
            assertEquals("max_tokens", out.at("/badRequest/param").asText());
            assertEquals(401, out.at("/unauthorized/status").asInt());
            assertEquals("AuthenticationError", out.at("/unauthorized/name").asText());
        } finally {
            server.shutdown(Duration.ofSeconds(5));
        }
    }
}
