package dev.slm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import dev.slm.fixtures.FixtureModel;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChatTest {
    private static Model model;

    @BeforeAll
    static void open() {
        model = Model.open(FixtureModel.path(), ModelOptions.defaults());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void aModelWithoutATemplateFallsBackToChatMl() {
        assertTrue(model.info().chatTemplate().isEmpty());
        String prompt = model.renderChat(List.of(ChatMessage.system("Be kind."), ChatMessage.user("Hello")));
        assertEquals("<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", prompt);
    }

    @Test
    void chatAnswersTheLastMessage() {
        Completion c = model.chat(List.of(ChatMessage.user("Once upon a time")),
                SamplingOptions.greedy().withMaxTokens(20)).await();
        assertEquals(20, c.usage().completionTokens());
        assertTrue(c.usage().promptTokens() > 5, "the template adds tokens: " + c.usage());
    }

    @Test
    void aSessionKeepsHistoryAcrossTurnsAndForgetsOnReset() {
        ChatSession session = model.newChat("You tell stories.");
        Completion first = session.send("Tell me about Lily.", SamplingOptions.greedy().withMaxTokens(10)).await();
        assertEquals(3, session.history().size());
        assertEquals(first.text(), session.history().get(2).content());
        Completion second = session.send("And then?", SamplingOptions.greedy().withMaxTokens(10)).await();
        assertEquals(5, session.history().size());
        // The second turn's prompt holds the first turn: it is longer than the first's.
        assertTrue(second.usage().promptTokens() > first.usage().promptTokens() + 10, first.usage() + " " + second.usage());
        session.reset();
        assertEquals(List.of(ChatMessage.system("You tell stories.")), session.history());
    }

    @Test
    void aCancelledTurnIsForgotten() {
        ChatSession session = model.newChat(null);
        Generation g = session.send("Once upon a time", SamplingOptions.greedy());
        g.cancel();
        assertEquals(StopReason.CANCELLED, g.await().stopReason());
        assertEquals(List.of(), session.history());
    }

    @Test
    void aSystemMessageMayOnlyOpenTheConversation() {
        assertThrows(SlmException.class, () -> model.renderChat(
                List.of(ChatMessage.user("hi"), ChatMessage.system("late"))));
    }
}
