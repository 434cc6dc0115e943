package dev.slm.hardware;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A machine recorded by capture.sh (runtime-core/src/test/resources/machines/README.md): its /proc
 * and /sys files under root/, what the JVM said in machine.properties, NVML or CUDA driver answers in
 * nvidia.json, sysctl answers in sysctl.properties. The tests replay these folders; so does slm itself
 * when {@value #REPLAY_ENV} names one, so that `slm profile` answers as it would on that machine
 * (a user's recording, read on a developer's machine; the arm64 archive's test under qemu).
 */
public final class MachineRecording {
    public static final String REPLAY_ENV = "SLM_MACHINE_REPLAY";

    private MachineRecording() {
    }

    /** The recording named by {@value #REPLAY_ENV}, else this machine. */
    public static MachineFactsSource fromEnvironmentOrLive() {
        String dir = System.getenv(REPLAY_ENV);
        return dir == null || dir.isBlank() ? MachineFactsSource.live() : source(Path.of(dir));
    }

    /** @throws IllegalArgumentException when {@code dir} holds no machine.properties */
    public static MachineFactsSource source(Path dir) {
        if (!Files.isRegularFile(dir.resolve("machine.properties"))) {
            throw new IllegalArgumentException(dir + " is no recorded machine: it has no machine.properties (see capture.sh)");
        }
        Properties machine = properties(dir.resolve("machine.properties"));
        Properties sysctl = properties(dir.resolve("sysctl.properties"));
        NvidiaReport nvidia = nvidia(dir.resolve("nvidia.json"));
        SysctlQuery answers = sysctl.isEmpty() ? SysctlQuery.NONE : new SysctlQuery() {
            @Override
            public Optional<String> string(String key) {
                return Optional.ofNullable(sysctl.getProperty(key));
            }

            @Override
            public Optional<Long> number(String key) {
                return string(key).filter(v -> v.matches("-?\\d+")).map(Long::parseLong);
            }
        };
        return new MachineFactsSource(machine.getProperty("os.name"), machine.getProperty("os.arch"), dir.resolve("root"),
                () -> nvidia, answers, Integer.parseInt(machine.getProperty("jvm.processors", "1")),
                Long.parseLong(machine.getProperty("jvm.totalMemory", "-1")),
                Long.parseLong(machine.getProperty("jvm.freeMemory", "-1")));
    }

    private static Properties properties(Path file) {
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return p;
    }

    private static NvidiaReport nvidia(Path file) {
        if (!Files.isRegularFile(file)) {
            return NvidiaReport.none("the recorded machine had no NVIDIA library");
        }
        try {
            JsonNode n = new ObjectMapper().readTree(file.toFile());
            List<NvidiaGpu> gpus = new ArrayList<>();
            for (JsonNode g : n.path("gpus")) {
                gpus.add(new NvidiaGpu(g.path("index").asInt(), g.path("name").asText(), g.path("memoryTotal").asLong(),
                        g.path("memoryFree").asLong(-1), g.path("integrated").asBoolean(), g.path("computeCapability").asText("")));
            }
            return new NvidiaReport(n.path("source").asText(), text(n, "driverVersion"), text(n, "cudaVersion"), gpus,
                    text(n, "problem"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<String> text(JsonNode n, String field) {
        return n.hasNonNull(field) ? Optional.of(n.get(field).asText()) : Optional.empty();
    }
}
