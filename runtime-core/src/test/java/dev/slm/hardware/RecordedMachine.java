package dev.slm.hardware;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A machine recorded under src/test/resources/machines/NAME (see README.md there): its /proc and
 * /sys files under root/, what the JVM said in machine.properties, NVML or CUDA driver answers in
 * nvidia.json, sysctl answers in sysctl.properties.
 */
public final class RecordedMachine {
    private RecordedMachine() {
    }

    public static MachineFactsSource source(String name) {
        Path dir = directory(name);
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
                () -> nvidia, answers, Integer.parseInt(machine.getProperty("jvm.processors")),
                Long.parseLong(machine.getProperty("jvm.totalMemory", "-1")),
                Long.parseLong(machine.getProperty("jvm.freeMemory", "-1")));
    }

    public static MachineFacts facts(String name) {
        return MachineDetector.detect(source(name));
    }

    public static Path directory(String name) {
        URL url = RecordedMachine.class.getResource("/machines/" + name + "/machine.properties");
        if (url == null) {
            throw new IllegalArgumentException("no recorded machine " + name);
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Properties properties(Path file) {
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalStateException(e);
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
            throw new IllegalStateException(e);
        }
    }

    private static Optional<String> text(JsonNode n, String field) {
        return n.hasNonNull(field) ? Optional.of(n.get(field).asText()) : Optional.empty();
    }
}
