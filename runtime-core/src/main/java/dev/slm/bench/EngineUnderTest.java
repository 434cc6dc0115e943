package dev.slm.bench;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What runs the model during a benchmark. */
public enum EngineUnderTest {
    /** slm's engine API: the binding, its server loop, sampling, streaming to a Java consumer. */
    SLM("slm"),
    /** llama.cpp's C API driven as llama-bench drives it, in the same native library: the baseline. */
    LLAMA_CPP("llama.cpp");

    private final String label;

    EngineUnderTest(String label) {
        this.label = label;
    }

    @JsonValue
    public String label() {
        return label;
    }

    @JsonCreator
    public static EngineUnderTest parse(String s) {
        String wanted = s.toLowerCase(Locale.ROOT).strip();
        return Arrays.stream(values()).filter(e -> e.label.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown engine '" + s + "': use "
                        + Arrays.stream(values()).map(EngineUnderTest::label).collect(Collectors.joining(" or "))));
    }

    @Override
    public String toString() {
        return label;
    }
}
