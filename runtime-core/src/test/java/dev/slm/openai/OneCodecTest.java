package dev.slm.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The routing layer reads a request with the same codec as {@code slm serve}: what the server refuses
 * with a 400 is refused in process too (it used to pass a lax reading there), and a request the HTTP
 * layer has parsed travels on parsed.
 */
class OneCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode chat(String extra) throws Exception {
        return (ObjectNode) JSON.readTree("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]" + extra + "}");
    }

    @Test
    void aRequestTheServerRefusesIsRefusedInProcessNamingTheField() throws Exception {
        InvalidRequestException range = assertThrows(InvalidRequestException.class,
                () -> new CompletionRequest(CompletionEndpoint.CHAT_COMPLETIONS, chat(",\"temperature\":5"), Map.of()));
        assertEquals("temperature", range.param());
        assertEquals("invalid_value", range.code());

        InvalidRequestException tool = assertThrows(InvalidRequestException.class,
                () -> new CompletionRequest(CompletionEndpoint.CHAT_COMPLETIONS, (ObjectNode) JSON.readTree(
                        "{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}"), Map.of()));
        assertEquals("messages[0].role", tool.param());
        assertEquals("unsupported_parameter", tool.code());

        InvalidRequestException prompt = assertThrows(InvalidRequestException.class,
                () -> new CompletionRequest(CompletionEndpoint.COMPLETIONS, (ObjectNode) JSON.readTree("{\"model\":\"m\"}"), Map.of()));
        assertEquals("missing_required_parameter", prompt.code());
    }

    @Test
    void theParsedRequestTravelsWithTheBodyAndFollowsTheRoutesChanges() throws Exception {
        ObjectNode body = chat(",\"max_tokens\":7,\"stream\":false");
        OpenAiRequest parsed = OpenAiRequest.parse(CompletionEndpoint.CHAT_COMPLETIONS, body, 64);
        CompletionRequest request = CompletionRequest.of(parsed, body, Map.of("X-Tag", List.of("a")));
        assertSame(parsed, request.parsed());
        assertEquals(7, request.parsed().sampling().maxTokens());

        CompletionRequest local = request.withModel("tiny").streamedWithUsage();
        assertEquals("tiny", local.parsed().model());
        assertEquals("tiny", local.body().path("model").asText());
        assertTrue(local.parsed().stream() && local.parsed().includeUsage());
        assertTrue(local.body().path("stream_options").path("include_usage").asBoolean());
        assertEquals("m", request.body().path("model").asText(), "the client's body is not changed");
        assertEquals(parsed.prompt(), local.parsed().prompt());
    }

    @Test
    void withoutACapMaxTokensStaysUnsetAndAnyPositiveNumberIsAccepted() throws Exception {
        OpenAiRequest open = new CompletionRequest(CompletionEndpoint.CHAT_COMPLETIONS, chat(""), Map.of()).parsed();
        assertEquals(-1, open.sampling().maxTokens());
        OpenAiRequest capped = OpenAiRequest.parse(CompletionEndpoint.CHAT_COMPLETIONS, chat(""), 64);
        assertEquals(64, capped.sampling().maxTokens());
        assertThrows(InvalidRequestException.class,
                () -> OpenAiRequest.parse(CompletionEndpoint.CHAT_COMPLETIONS, chat(",\"max_tokens\":65"), 64));
    }
}
