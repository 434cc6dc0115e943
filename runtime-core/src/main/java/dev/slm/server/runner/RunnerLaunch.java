package dev.slm.server.runner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a runner process is started: the server's own Java and class path, with a small heap (the
 * model lives in native memory) and a JIT that starts fast. {@code SLM_RUNNER_JAVA_OPTS} adds options.
 */
public record RunnerLaunch(List<String> command) {

    public RunnerLaunch {
        command = List.copyOf(command);
    }

    public static RunnerLaunch sameJava() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-Xss1m",
                "--enable-native-access=ALL-UNNAMED"));
        String extra = System.getenv("SLM_RUNNER_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(Arrays.asList(extra.strip().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RunnerMain.class.getName()));
        return new RunnerLaunch(cmd);
    }
}
