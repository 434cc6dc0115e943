package dev.slm.server.runner;

import java.nio.file.Files;
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

    /**
     * The command for one runner. A Java runner writes its crash report ({@code hs_err_pid*.log})
     * to {@code crashDir}, not to the server's working directory. With {@code dataLimitBytes > 0}
     * the runner runs under that RLIMIT_DATA: its heap, malloc and anonymous mappings (everything
     * llama.cpp allocates: KV cache, grammars, buffers) may not grow past it, so an allocation that
     * runs away fails in that runner (which the server replaces) instead of taking the machine's
     * memory. Mapped model files are not counted. Set through {@code sh -c 'ulimit -d'}, which
     * every Unix has; elsewhere the limit is not applied.
     */
    public List<String> command(long dataLimitBytes, Path crashDir) {
        List<String> cmd = new ArrayList<>(command);
        if (crashDir != null && Path.of(cmd.get(0)).getFileName().toString().startsWith("java")) {
            try {
                Files.createDirectories(crashDir);
                cmd.add(1, "-XX:ErrorFile=" + crashDir.resolve("hs_err_pid%p.log"));
            } catch (java.io.IOException | RuntimeException e) {
                // not writable: the JVM's default (the working directory, else /tmp) stands
            }
        }
        if (dataLimitBytes > 0 && Files.isExecutable(Path.of("/bin/sh"))) {
            List<String> limited = new ArrayList<>(List.of("/bin/sh", "-c",
                    "ulimit -d " + Math.max(1, dataLimitBytes / 1024) + " && exec \"$0\" \"$@\""));
            limited.addAll(cmd);
            return limited;
        }
        return cmd;
    }
}
