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

    @Test
    void theOldestTurnsDropWhenTheHistoryOutgrowsTheContextAndTheSystemPromptStays() {
        try (Model small = Model.open(FixtureModel.path(), ModelOptions.defaults().withContextSize(128))) {
            java.util.List<ChatSession.ContextShift> shifts = new java.util.ArrayList<>();
            ChatSession session = small.newChat("Be kind.").onContextShift(shifts::add);
            SamplingOptions sampling = SamplingOptions.greedy().withMaxTokens(20);
            for (int i = 0; i < 6; i++) {
                session.send("Tell me a story about Lily and her dog number " + i + ".", sampling).await();
            }
            assertTrue(!shifts.isEmpty(), "some turns were dropped");
            assertEquals(ChatMessage.system("Be kind."), session.history().getFirst());
            assertTrue(session.history().size() < 13, "not every turn is kept: " + session.history().size());
            assertTrue(session.history().get(1).content().contains("number"), "a user message follows the system prompt");
        }
    }

    @Test
    void withoutContextShiftAFullConversationFailsAndStaysAsItWas() {
        // This vocabulary spells ChatML's markers letter by letter: one turn is about 65 tokens.
        try (Model small = Model.open(FixtureModel.path(), ModelOptions.defaults().withContextSize(128))) {
            ChatSession session = small.newChat(null).withContextShift(false);
            SamplingOptions sampling = SamplingOptions.greedy().withMaxTokens(20);
            ContextOverflowException e = assertThrows(ContextOverflowException.class, () -> {
                for (int i = 0; i < 10; i++) {
                    session.send("Tell me a story about Lily and her dog number " + i + ".", sampling).await();
                }
            });
            assertEquals(128, e.contextSize());
            assertTrue(e.promptTokens() >= 128, e.getMessage());
            assertEquals(0, session.history().size() % 2, "only whole turns are kept");
        }
    }

    @Test
    void theSystemPromptCanBeReplacedKeepingTheTurns() {
        ChatSession session = model.newChat(null);
        session.send("Hello", SamplingOptions.greedy().withMaxTokens(4)).await();
        session.setSystemPrompt("Be brief.");
        assertEquals(3, session.history().size());
        assertEquals(ChatMessage.system("Be brief."), session.history().getFirst());
        session.setSystemPrompt("");
        assertEquals(2, session.history().size());
    }
}
