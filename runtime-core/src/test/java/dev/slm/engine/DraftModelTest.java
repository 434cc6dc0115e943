package dev.slm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.SlmException;
import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.fixtures.FixtureModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Speculative decoding: a draft model proposes, the model verifies. The fixture drafts for itself,
 * so every drafted token is accepted; the greedy answer must be the same as without a draft.
 */
class DraftModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "Once upon a time";
    /** A small llama shape whose first 2 blocks make a draft for it (SyntheticModel keeps their weights). */
    private static final dev.slm.bench.TransformerShape SHAPE = new dev.slm.bench.TransformerShape("draft-test", "llama",
            128, 8, 4, 4, 256, 2048, 4096, 1e4f, 1e-5f, false);
    private static final ModelOptions OPTIONS = ModelOptions.defaults().withThreads(1).withContextSize(512);

    @Test
    void aDraftModelProposesTokensAndTheGreedyAnswerStaysTheSame() throws Exception {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        ModelOptions options = ModelOptions.defaults().withThreads(1).withContextSize(512);
        SamplingOptions greedy = SamplingOptions.greedy().withMaxTokens(48);
        String plain;
        try (Model model = Model.open(FixtureModel.path(), options)) {
            plain = model.generate(PROMPT, greedy).await().text();
        }
        try (Model model = Model.open(FixtureModel.path(), options.withDraft(new DraftModel(FixtureModel.path(), 8)))) {
            assertEquals(plain, model.generate(PROMPT, greedy).await().text(), "a draft must not change a greedy answer");
            // llama.cpp's own counters, as llama-server reports them: the draft really ran.
            try (OpenAiCall call = model.openAi("/v1/completions",
                    "{\"prompt\":\"" + PROMPT + "\",\"max_tokens\":48,\"temperature\":0}")) {
                assertEquals(200, call.status(), call.body());
                JsonNode answer = JSON.readTree(call.body());
                assertEquals(plain, answer.at("/choices/0/text").asText());
                JsonNode timings = answer.get("timings");
                assertTrue(timings != null && timings.path("draft_n").asInt() > 0, call.body());
                assertEquals(timings.path("draft_n").asInt(), timings.path("draft_n_accepted").asInt(),
                        "a model drafting for itself is always right: " + timings);
            }
        }
    }

    /**
     * A shape cut to its first layers (`slm bench --generate SHAPE --layers N`) keeps the full
     * shape's weights, so it drafts for it as a small model of the same family would: most of its
     * tokens are accepted, and the greedy text is the full model's.
     */
    @Test
    void aShapeCutToItsFirstLayersDraftsForTheFullOne(@TempDir Path dir) throws Exception {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        Path target = dir.resolve("full.gguf");
        Path draft = dir.resolve("draft.gguf");
        dev.slm.bench.SyntheticModel.write(SHAPE, dev.slm.gguf.GgmlType.Q8_0, target, 7);
        dev.slm.bench.SyntheticModel.write(SHAPE.withLayers(2), dev.slm.gguf.GgmlType.Q8_0, draft, 7);
        String plain = text(complete(target, OPTIONS));
        JsonNode answer = complete(target, OPTIONS.withDraft(new DraftModel(draft, 8)));
        assertEquals(plain, text(answer));
        JsonNode timings = answer.get("timings");
        int drafted = timings.path("draft_n").asInt();
        assertTrue(drafted > 0 && timings.path("draft_n_accepted").asInt() * 2 > drafted,
                "most drafted tokens accepted: " + timings);
    }

    /**
     * With the blocks after the cut silent (`--silent-from N`), the full model computes every block
     * and still predicts exactly what its cut predicts: every drafted token is accepted, the setting
     * docs/performance.md measures the ceiling of the speed-up with.
     */
    @Test
    void silentBlocksMakeTheCutPredictEveryToken(@TempDir Path dir) throws Exception {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        Path target = dir.resolve("full.gguf");
        Path draft = dir.resolve("draft.gguf");
        dev.slm.bench.SyntheticModel.write(SHAPE, dev.slm.gguf.GgmlType.Q8_0, target, 7, 2);
        dev.slm.bench.SyntheticModel.write(SHAPE.withLayers(2), dev.slm.gguf.GgmlType.Q8_0, draft, 7);
        String cut = text(complete(draft, OPTIONS));
        JsonNode answer = complete(target, OPTIONS.withDraft(new DraftModel(draft, 8)));
        assertEquals(cut, text(answer), "the silent blocks change nothing");
        JsonNode timings = answer.get("timings");
        assertTrue(timings.path("draft_n").asInt() > 0, timings.toString());
        assertEquals(timings.path("draft_n").asInt(), timings.path("draft_n_accepted").asInt(), timings.toString());
        assertThrows(IllegalArgumentException.class, () -> dev.slm.bench.SyntheticModel.write(SHAPE,
                dev.slm.gguf.GgmlType.Q8_0, dir.resolve("x.gguf"), 7, 0));
    }

    @Test
    void aDraftThatIsNotAModelIsNamedInOneLine(@TempDir Path dir) throws Exception {
        assumeTrue(NativeBuild.current().isOwn(), "slm has no own native library on this platform");
        Path junk = Files.writeString(dir.resolve("draft.gguf"), "not a model");
        SlmException e = assertThrows(SlmException.class, () -> Model.open(FixtureModel.path(),
                ModelOptions.defaults().withThreads(1).withContextSize(256).withDraft(new DraftModel(junk, 0))));
        assertTrue(e.getMessage().contains("the draft model " + junk + " is not a usable GGUF model"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    /** 64 greedy tokens after the same prompt, with llama.cpp's timings. */
    private static JsonNode complete(Path model, ModelOptions options) throws Exception {
        try (Model m = Model.open(model, options); OpenAiCall call = m.openAi("/v1/completions",
                "{\"prompt\":\"the cat sat on the mat\",\"max_tokens\":64,\"temperature\":0}")) {
            assertEquals(200, call.status(), call.body());
            return JSON.readTree(call.body());
        }
    }

    private static String text(JsonNode answer) {
        return answer.at("/choices/0/text").asText();
    }
}
