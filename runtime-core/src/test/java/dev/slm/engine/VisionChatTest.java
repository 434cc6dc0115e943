package dev.slm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.SlmException;
import dev.slm.bench.SyntheticProjector;
import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.TestImages;
import dev.slm.gguf.GgufReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images in chat messages, end to end through llama.cpp's projector code: the fixture model opened
 * with a random-weight projector of its width (SyntheticProjector), images made here.
 */
class VisionChatTest {
    @TempDir
    static Path dir;
    static Model model;

    @BeforeAll
    static void open() {
        Path projector = dir.resolve("mmproj.gguf");
        int width = Math.toIntExact(GgufReader.read(FixtureModel.path()).embeddingLength().orElseThrow());
        SyntheticProjector.write(projector, width, 7);
        model = Model.open(FixtureModel.path(), ModelOptions.defaults().withContextSize(512).withProjector(projector));
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    static byte[] png(int size) {
        return TestImages.png(size);
    }

    @Test
    void eachImageTakesTheProjectorsPositionsInThePrompt() {
        ChatImage image = ChatImage.of(png(48));
        int text = model.countChatTokens(List.of(ChatMessage.user("What is this?")));
        int one = model.countChatTokens(List.of(ChatMessage.user("What is this?", List.of(image))));
        int two = model.countChatTokens(List.of(ChatMessage.user("What is this?", List.of(image, image))));
        // Each image takes the projector's 16 positions, plus the odd token of text llama.cpp puts between parts.
        int perImage = SyntheticProjector.TOKENS_PER_IMAGE;
        assertTrue(one - text >= perImage && one - text <= perImage + 3, text + " tokens without the image, " + one + " with it");
        assertTrue(two - one >= perImage && two - one <= perImage + 3, one + " tokens with one image, " + two + " with two");
    }

    @Test
    void theAnswerToAnImageStreams() {
        List<ChatMessage> messages = List.of(ChatMessage.user("Describe it.", List.of(ChatImage.of(png(40)))));
        SamplingOptions sampling = SamplingOptions.greedy().withMaxTokens(6);
        Generation generation = model.chat(messages, sampling);
        List<String> pieces = new ArrayList<>();
        for (GenerationEvent event : generation) {
            if (event instanceof GenerationEvent.Token t) {
                pieces.add(t.text());
            }
        }
        Completion completion = generation.await();
        assertFalse(pieces.isEmpty(), "tokens streamed");
        assertEquals(String.join("", pieces), completion.text());
        assertEquals(model.countChatTokens(messages), completion.usage().promptTokens());
        assertTrue(completion.usage().completionTokens() <= 6, "max tokens held: " + completion.usage());
    }

    /** The slot's cached prompt and the new one part between two images (llama.cpp's "Chunk not found"). */
    @Test
    void aSecondImageThatDiffersFromTheCachedOneIsAnswered() {
        ChatImage a = ChatImage.of(png(32));
        ChatImage b = ChatImage.of(png(33));
        ChatImage c = ChatImage.of(png(34));
        SamplingOptions sampling = SamplingOptions.greedy().withMaxTokens(2);
        model.chat(List.of(ChatMessage.user("Compare them.", List.of(a, b))), sampling).await();
        Completion again = model.chat(List.of(ChatMessage.user("Compare them.", List.of(a, c))), sampling).await();
        assertEquals(model.countChatTokens(List.of(ChatMessage.user("Compare them.", List.of(a, c)))),
                again.usage().promptTokens());
    }

    @Test
    void aChatSessionKeepsTheImageInItsHistory() {
        ChatSession chat = model.newChat(null);
        ChatMessage first = ChatMessage.user("Look.", List.of(ChatImage.of(png(32))));
        chat.send(first, SamplingOptions.greedy().withMaxTokens(3)).await();
        chat.send("And now?", SamplingOptions.greedy().withMaxTokens(3)).await();
        assertEquals(first, chat.history().getFirst());
        assertEquals(4, chat.history().size());
    }

    @Test
    void bytesLlamaCppCannotDecodeFailBeforeGenerating() {
        ChatImage truncated = ChatImage.of(TestImages.truncatedPng());
        SlmException e = assertThrows(SlmException.class, () -> model.chat(
                List.of(ChatMessage.user("What is this?", List.of(truncated))), SamplingOptions.greedy()));
        assertTrue(e.getMessage().contains("could not decode an image"), e.getMessage());
    }

    @Test
    void bytesThatAreNoImageAreRefusedByName() {
        SlmException text = assertThrows(SlmException.class, () -> ChatImage.of("hello".getBytes()));
        assertTrue(text.getMessage().contains("PNG, JPEG"), text.getMessage());
        byte[] webp = "RIFF\0\0\0\0WEBPVP8 ".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        SlmException w = assertThrows(SlmException.class, () -> ChatImage.of(webp));
        assertTrue(w.getMessage().contains("WebP"), w.getMessage());
        assertEquals(ChatImage.Format.PNG, ChatImage.of(png(8)).format());
        assertEquals(ChatImage.Format.JPEG, ChatImage.of(TestImages.jpeg(8)).format());
    }

    @Test
    void aModelWithoutProjectorSaysItCannotSeeImages() {
        try (Model text = Model.open(FixtureModel.path(), ModelOptions.defaults().withContextSize(256))) {
            assertFalse(text.seesImages());
            SlmException e = assertThrows(SlmException.class, () -> text.chat(
                    List.of(ChatMessage.user("What is this?", List.of(ChatImage.of(png(16))))), SamplingOptions.greedy()));
            assertTrue(e.getMessage().contains("without a vision projector"), e.getMessage());
        }
        assertTrue(model.seesImages());
    }
}
