package dev.slm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slm.fixtures.FixtureModel;
import dev.slm.fixtures.JavaProcess;
import dev.slm.gguf.GgufReader;
import dev.slm.gguf.SyntheticLora;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA flags on run, and named variants (`slm create`, `cp`, `show`) used by run, in real processes. */
class VariantCommandsTest {
    private static final String MODEL = FixtureModel.path().toString();

    @TempDir
    static Path dir;
    static Path adapter;
    static String plain;

    @BeforeAll
    static void adapterAndPlainAnswer() throws Exception {
        adapter = dir.resolve("story-lora.gguf");
        SyntheticLora.write(GgufReader.read(FixtureModel.path()), List.of("output.weight", "blk.0.attn_q.weight"), 4, 4f,
                adapter, 7);
        JavaProcess.Result r = slm(dir.resolve("home"), "run", MODEL, "Once upon a time", "--temp", "0", "-n", "30");
        assertEquals(0, r.exitCode(), r.stderr());
        plain = r.stdout();
        assertTrue(plain.startsWith(FixtureModel.GREEDY_CONTINUATION), plain);
    }

    private static JavaProcess.Result slm(Path home, String... args) throws Exception {
        return JavaProcess.run(Main.class.getName(), List.of(args), null, 90, Map.of("SLM_HOME", home.toString()));
    }

    private static String[] with(String[] base, String... more) {
        List<String> all = new ArrayList<>(List.of(base));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void loraFlagsChangeTheAnswerAndScaleZeroRestoresIt() throws Exception {
        String[] run = {"run", MODEL, "Once upon a time", "--temp", "0", "-n", "30"};
        JavaProcess.Result adapted = slm(dir.resolve("home"), with(run, "--lora", adapter.toString()));
        assertEquals(0, adapted.exitCode(), adapted.stderr());
        assertNotEquals(plain, adapted.stdout());
        JavaProcess.Result off = slm(dir.resolve("home"), with(run, "--lora-scaled", adapter.toString(), "0"));
        assertEquals(0, off.exitCode(), off.stderr());
        assertEquals(plain, off.stdout());

        JavaProcess.Result notAdapter = slm(dir.resolve("home"), with(run, "--lora", MODEL));
        assertEquals(ExitCodes.FAILURE, notAdapter.exitCode());
        assertTrue(notAdapter.stderr().contains("is not a LoRA adapter"), notAdapter.stderr());
        JavaProcess.Result badScale = slm(dir.resolve("home"), with(run, "--lora-scaled", adapter.toString(), "half"));
        assertEquals(ExitCodes.USAGE, badScale.exitCode(), badScale.stderr());
        assertTrue(badScale.stderr().contains("the scale must be a number"), badScale.stderr());
    }

    @Test
    void aVariantCarriesItsAdapterAndParametersIntoRunAndCpAndShowPrintItBack() throws Exception {
        Path home = dir.resolve("variants");
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.copy(adapter, project.resolve("story-lora.gguf"));
        Files.writeString(project.resolve("Modelfile"), """
                # Ollama's syntax, as is
                FROM %s
                SYSTEM \"\"\"You tell stories
                to children.\"\"\"
                PARAMETER temperature 0
                PARAMETER num_predict 30
                PARAMETER stop "<|end|>"
                ADAPTER ./story-lora.gguf
                LICENSE MIT
                """.formatted(MODEL));
        JavaProcess.Result created = slm(home, "create", "storyteller", "-f", project.resolve("Modelfile").toString());
        assertEquals(0, created.exitCode(), created.stderr());

        JavaProcess.Result lora = slm(home, "run", MODEL, "Once upon a time", "--temp", "0", "-n", "30", "--lora", adapter.toString());
        JavaProcess.Result variant = slm(home, "run", "storyteller", "Once upon a time");
        assertEquals(0, variant.exitCode(), variant.stderr());
        assertEquals(lora.stdout(), variant.stdout(), "the variant = the model + its adapter, at temperature 0, 30 tokens");
        JavaProcess.Result flagsWin = slm(home, "run", "storyteller", "Once upon a time", "-n", "3");
        assertTrue(flagsWin.stdout().length() < variant.stdout().length(), "-n beats PARAMETER num_predict: " + flagsWin.stdout());

        JavaProcess.Result cp = slm(home, "cp", "storyteller", "teller2");
        assertEquals(0, cp.exitCode(), cp.stderr());
        assertEquals(variant.stdout(), slm(home, "run", "teller2", "Once upon a time").stdout());

        JavaProcess.Result show = slm(home, "show", "storyteller");
        assertEquals(0, show.exitCode(), show.stderr());
        assertTrue(show.stdout().contains("variant of") && show.stdout().contains("story-lora.gguf (scale 1.0"), show.stdout());
        assertTrue(show.stdout().contains("You tell stories"), show.stdout());
        JavaProcess.Result modelfile = slm(home, "show", "storyteller", "--modelfile");
        assertTrue(modelfile.stdout().startsWith("FROM "), modelfile.stdout());
        assertTrue(modelfile.stdout().contains("PARAMETER stop <|end|>"), modelfile.stdout());
        assertTrue(modelfile.stdout().contains("ADAPTER " + home.resolve("models/blobs")), modelfile.stdout());

        // What show prints, create takes back: a variant at scale 0 answers as the base model.
        Path again = project.resolve("Again");
        Files.writeString(again, modelfile.stdout().replaceAll("(ADAPTER \\S+)", "$1 0"));
        assertEquals(0, slm(home, "create", "plain-teller", "-f", again.toString()).exitCode());
        assertEquals(plain, slm(home, "run", "plain-teller", "Once upon a time").stdout());

        JavaProcess.Result verify = slm(home, "verify", "storyteller");
        assertEquals(0, verify.exitCode(), verify.stderr());
        assertTrue(verify.stdout().contains("1 LoRA adapter"), verify.stdout());

        // The adapter blob stays while a name uses it, and goes with the last.
        Path adapterBlob = home.resolve("models/blobs/sha256-" + dev.slm.store.Sha256.of(adapter));
        assertTrue(Files.exists(adapterBlob));
        assertEquals(0, slm(home, "rm", "storyteller").exitCode());
        assertEquals(variant.stdout(), slm(home, "run", "teller2", "Once upon a time").stdout());
        assertEquals(0, slm(home, "rm", "teller2", "plain-teller").exitCode());
        assertTrue(Files.notExists(adapterBlob), "the last name using the adapter took it");
    }

    private static JavaProcess.Result chat(Path home, String stdin, String... args) throws Exception {
        return JavaProcess.run(Main.class.getName(), List.of(with(new String[] {"chat"}, args)), stdin, 90,
                Map.of("SLM_HOME", home.toString()));
    }

    @Test
    void saveInAChatMakesAVariantAndLoadSwitchesToIt() throws Exception {
        Path home = dir.resolve("chat");
        JavaProcess.Result saved = chat(home, "/set parameter temperature 0\n/set parameter num_predict 12\n"
                + "/set system Be kind.\n/save kind\n/exit\n", MODEL);
        assertEquals(0, saved.exitCode(), saved.stderr());
        assertTrue(saved.stderr().contains("(saved as kind"), saved.stderr());
        String modelfile = slm(home, "show", "kind", "--modelfile").stdout();
        assertTrue(modelfile.contains("SYSTEM Be kind.") && modelfile.contains("PARAMETER temperature 0.0")
                && modelfile.contains("PARAMETER num_predict 12"), modelfile);
        assertEquals(slm(home, "run", MODEL, "Once upon a time", "--temp", "0", "-n", "12").stdout(),
                slm(home, "run", "kind", "Once upon a time").stdout(), "the saved parameters apply in run");

        JavaProcess.Result direct = chat(home, "Once upon a time\n/exit\n", "kind");
        JavaProcess.Result loaded = chat(home, "/load kind\n/show system\nOnce upon a time\n/exit\n", MODEL,
                "--lora-scaled", adapter.toString(), "0");
        assertEquals(0, loaded.exitCode(), loaded.stderr());
        assertTrue(loaded.stderr().contains("(loaded kind") && loaded.stderr().contains("Be kind."), loaded.stderr());
        assertEquals(direct.stdout(), loaded.stdout(), "after /load the chat answers as the variant does");

        JavaProcess.Result missing = chat(home, "/load nothing-here\n/exit\n", MODEL, "--offline");
        assertEquals(0, missing.exitCode(), "a failed /load ends nothing: " + missing.stderr());
        assertTrue(missing.stderr().contains("slm: error:"), missing.stderr());
    }

    @Test
    void aVariantsJinjaTemplateRendersTheChatAndAGoTemplateIsRefused() throws Exception {
        Path home = dir.resolve("templates");
        Path file = dir.resolve("Templated");
        Files.writeString(file, "FROM " + MODEL + "\n"
                + "TEMPLATE \"\"\"{% for message in messages %}{{ message['content'] }}{% endfor %}, there was\"\"\"\n"
                + "PARAMETER temperature 0\nPARAMETER num_predict 10\n");
        assertEquals(0, slm(home, "create", "templated", "-f", file.toString()).exitCode());
        JavaProcess.Result viaTemplate = slm(home, "run", "templated", "Once upon a time");
        assertEquals(0, viaTemplate.exitCode(), viaTemplate.stderr());
        assertEquals(slm(home, "run", MODEL, "Once upon a time, there was", "--temp", "0", "-n", "10").stdout(),
                viaTemplate.stdout(), "run sent the prompt through the variant's template");

        Files.writeString(file, "FROM " + MODEL + "\nTEMPLATE \"\"\"{{ if .System }}{{ .System }}{{ end }}{{ .Prompt }}\"\"\"\n");
        JavaProcess.Result go = slm(home, "create", "go", "-f", file.toString());
        assertEquals(ExitCodes.FAILURE, go.exitCode());
        assertTrue(go.stderr().contains("TEMPLATE is a Go template"), go.stderr());
    }

    @Test
    void aWrongSlmfileIsOneLineNamingTheLine() throws Exception {
        Path home = dir.resolve("bad");
        Path file = dir.resolve("Bad");
        Files.writeString(file, "FROM " + MODEL + "\nPARAMETR temperature 0\n");
        JavaProcess.Result r = slm(home, "create", "bad", "-f", file.toString());
        assertEquals(ExitCodes.FAILURE, r.exitCode());
        assertTrue(r.stderr().contains("line 2: unknown instruction PARAMETR"), r.stderr());
        assertEquals(1, r.stderr().strip().lines().count(), r.stderr());

        Files.writeString(file, "FROM " + MODEL + "\nPARAMETER temprature 0\n");
        r = slm(home, "create", "bad", "-f", file.toString());
        assertTrue(r.stderr().contains("unknown PARAMETER temprature"), r.stderr());

        Files.writeString(file, "FROM " + MODEL + "\nADAPTER " + MODEL + "\n");
        r = slm(home, "create", "bad", "-f", file.toString());
        assertTrue(r.stderr().contains("is not a LoRA adapter"), r.stderr());

        assertEquals(0, slm(home, "import", MODEL, "--name", "base").exitCode());
        Files.writeString(file, "FROM " + MODEL + "\nSYSTEM hi\n");
        r = slm(home, "create", "base", "-f", file.toString());
        assertTrue(r.stderr().contains("base is a model of the store, not a variant"), r.stderr());
    }
}
