package dev.slm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

class BenchReportTest {
    private static final ModelSummary TINY = new ModelSummary("tiny.gguf", "tiny", "llama", "F32", 292_000, 1_168_000);
    private static final ModelSummary SMOL = new ModelSummary("smol.gguf", "smol", "llama", "Q8_0", 134_515_008, 144_000_000);

    private static RunResult run(ModelSummary model, EngineUnderTest engine, int threads, double pp, double tg) {
        return new RunResult(model, engine, threads, 85.5, 140L << 20,
                new TestResult("pp512", 512, Summary.of(pp, pp * 1.1, pp * 0.9), Summary.of(40, 41, 39)),
                new TestResult("tg128", 128, Summary.of(tg, tg + 2, tg - 2), null),
                "OMP_WAIT_POLICY=PASSIVE (slm's default)");
    }

    private static BenchReport report() {
        return new BenchReport("slm test", new Machine("Test CPU", 2, 24L << 30, "Linux", "21", 0.5),
                BenchSettings.defaults(), "cpu-x86_64", 2, Map.of("OMP_WAIT_POLICY", "PASSIVE"),
                List.of(run(TINY, EngineUnderTest.SLM, 1, 9000, 2500), run(TINY, EngineUnderTest.LLAMA_CPP, 2, 12000, 3000),
                        run(SMOL, EngineUnderTest.SLM, 2, 300, 40)));
    }

    @Test
    void jsonRoundTripsToAnEqualReport() {
        BenchReport original = report();
        BenchReport read = BenchReport.fromJson(original.toJson());
        assertEquals(original, read);
        assertEquals(2500, read.results().get(0).generation().tokensPerSecond().median(), 1e-9);
        assertEquals(EngineUnderTest.LLAMA_CPP, read.results().get(1).engine());
    }

    @Test
    void jsonUsesSnakeCaseNamesAndTheEnginesLabels() throws Exception {
        JsonNode json = new ObjectMapper().readTree(report().toJson());
        assertEquals(512, json.at("/settings/prompt_tokens").asInt());
        assertEquals(128, json.at("/settings/generated_tokens").asInt());
        assertEquals(5, json.at("/settings/repetitions").asInt());
        assertEquals("PASSIVE", json.at("/environment/OMP_WAIT_POLICY").asText());
        JsonNode first = json.at("/results/0");
        assertEquals("slm", first.at("/engine").asText());
        assertEquals("llama.cpp", json.at("/results/1/engine").asText());
        assertEquals(1, first.at("/threads").asInt());
        assertEquals(85.5, first.at("/load_millis").asDouble(), 1e-9);
        assertEquals(140L << 20, first.at("/peak_rss_bytes").asLong());
        assertEquals("pp512", first.at("/prompt/name").asText());
        assertEquals(9000, first.at("/prompt/tokens_per_second/median").asDouble(), 1e-9);
        assertEquals(3, first.at("/prompt/tokens_per_second/samples").size());
        assertEquals(40, first.at("/prompt/time_to_first_token_millis/median").asDouble(), 1e-9);
        assertEquals(2, first.at("/generation/tokens_per_second/stddev").asDouble(), 1e-9);
        assertEquals("OMP_WAIT_POLICY=PASSIVE (slm's default)", first.at("/thread_waiting").asText());
        assertEquals(134_515_008, json.at("/results/2/model/parameters").asLong());
    }

    @Test
    void tableHasOneRowPerTestWithMedianSpreadAndMillisPerToken() {
        String table = report().toTable();
        assertTrue(table.contains("settings: -p 512 -n 128 -r 5"), table);
        assertTrue(table.contains("llama.cpp threads wait with: OMP_WAIT_POLICY=PASSIVE (slm's default)"), table);
        List<String> rows = table.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| model") && !l.startsWith("| -")).toList();
        assertEquals(6, rows.size(), table);
        // tg of 2500 t/s is 0.4 ms per token; spread of samples 2500, 2502, 2498 is a stddev of 2.
        assertTrue(rows.get(1).matches("\\| tiny.gguf F32 \\| .* \\| slm \\| 1 \\| tg128 \\| 2500.00 \\| 2.00 \\| 2498.00 \\| 2502.00 \\| 0.400 \\| .*"),
                rows.get(1));
        assertTrue(rows.get(0).contains("| 40.0 |"), "the pp row shows the time to first token: " + rows.get(0));
    }

    @Test
    void theChartIsWellFormedSvgWithOneLinePerSeries() throws Exception {
        String svg = SvgChart.render(report());
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getNodeName());
        // by threads: 3 model/engine pairs x pp and tg; by size: 2 engines x pp and tg
        assertEquals(6 + 4, doc.getElementsByTagName("path").getLength());
        assertTrue(svg.contains("tiny.gguf (slm) tg128"), svg);
        assertTrue(svg.contains("llama.cpp pp512"), svg);
    }

    @Test
    void siLabels() {
        assertEquals("100", SvgChart.si(100));
        assertEquals("1k", SvgChart.si(1000));
        assertEquals("1M", SvgChart.si(1_000_000));
        assertEquals("0.1", SvgChart.si(0.1));
    }
}
