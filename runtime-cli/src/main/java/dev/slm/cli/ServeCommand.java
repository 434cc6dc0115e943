package dev.slm.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.slm.server.SlmServer;
import dev.slm.server.SystemdNotifier;
import dev.slm.server.config.ConfigException;
import dev.slm.server.config.ConfigFile;
import dev.slm.server.config.ConfigSetting;
import dev.slm.server.config.ServerConfig;
import dev.slm.server.config.ServerConfigBinder;
import dev.slm.server.local.LocalModels;
import dev.slm.server.local.LoadedModelMemory;
import dev.slm.profile.LaunchPlanText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve models over an OpenAI-compatible HTTP API (made to run as a systemd service).",
            "Settings come from the config file (--config, else $SLM_CONFIG, else /etc/slm/slm.conf when it exists),",
            "then SLM_<KEY> environment variables (SLM_PORT, SLM_API_KEYS_FILE...), then flags; later ones win.",
            "SIGTERM or Ctrl-C drains: running requests get shutdown_grace to finish, then the server exits 0."})
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "Config file (default: $SLM_CONFIG, else /etc/slm/slm.conf if it exists).")
    Path configFile;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to listen on (default: 127.0.0.1, this machine only).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "Port to listen on (default: 8080; 0 = any free port).")
    Integer port;

    @Option(names = "--model", paramLabel = "NAME=PATH|MODEL",
            description = "Serve the GGUF file PATH, or the pulled model MODEL (`slm list`), as model NAME (repeatable).")
    List<String> models = new ArrayList<>();

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any config key: KEY=VALUE for the server, model.NAME.KEY=VALUE for one model (repeatable).")
    List<String> assignments = new ArrayList<>();

    @Option(names = "--check-config", description = "Validate the configuration and the model files, print a summary, and exit (0 = valid, 1 = not).")
    boolean checkConfig;

    @Override
    public Integer call() {
        ServerConfig config;
        List<LocalModels.Plan> plans;
        try {
            config = ServerConfigBinder.bind(settings());
            plans = LocalModels.plan(config);
        } catch (ConfigException e) {
            System.out.flush();
            e.problems().forEach(p -> System.err.println("slm: error: " + p));
            return checkConfig ? ExitCodes.FAILURE : ExitCodes.CONFIG;
        }
        if (checkConfig) {
            printSummary(config, plans);
            return ExitCodes.OK;
        }
        return serve(config);
    }

    private List<ConfigSetting> settings() {
        List<ConfigSetting> settings = new ArrayList<>(configSettings(configFile));
        if (host != null) {
            settings.add(ConfigSetting.server("host", host, "--host"));
        }
        if (port != null) {
            settings.add(ConfigSetting.server("port", Integer.toString(port), "--port"));
        }
        for (String m : models) {
            int eq = m.indexOf('=');
            if (eq <= 0 || eq == m.length() - 1) {
                throw new ConfigException("--model: expected NAME=PATH or NAME=MODEL, got '" + m + "'");
            }
            String source = m.substring(eq + 1).strip();
            boolean isFile = ModelReference.looksLikePath(source) || Files.isRegularFile(Path.of(source));
            settings.add(ConfigSetting.model(m.substring(0, eq).strip(), isFile ? "path" : "model", source, "--model"));
        }
        for (String a : assignments) {
            settings.add(ConfigSetting.parseAssignment(a, "--set " + a));
        }
        return settings;
    }

    /**
     * The settings of the config file (--config, else $SLM_CONFIG, else /etc/slm/slm.conf when it
     * exists) and of SLM_* variables: what `slm serve` reads before its flags, and `slm ps` too.
     */
    static List<ConfigSetting> configSettings(Path given) {
        List<ConfigSetting> settings = new ArrayList<>();
        Path file = given;
        if (file == null) {
            String env = System.getenv("SLM_CONFIG");
            if (env != null && !env.isBlank()) {
                file = Path.of(env);
            } else if (Files.exists(ConfigFile.DEFAULT)) {
                file = ConfigFile.DEFAULT;
            }
        }
        if (file != null) {
            settings.addAll(ConfigFile.read(file));
        }
        settings.addAll(ServerConfigBinder.environment(System.getenv()));
        return settings;
    }

    private static void printSummary(ServerConfig config, List<LocalModels.Plan> plans) {
        System.out.println("config ok: listening on " + config.host() + ":" + config.port()
                + (config.apiKeys().isEmpty() ? ", no API keys" : ", " + config.apiKeys().size() + " API key(s)")
                + ", memory budget " + LoadedModelMemory.mib(config.memoryBudget()));
        for (LocalModels.Plan p : plans) {
            System.out.println("model " + p.config().name() + ": " + p.config().path() + " (" + p.header().architecture() + ", "
                    + p.header().quantization() + ", " + p.config().options().parallel() + " slot(s), queue " + p.config().queue()
                    + ", keep_alive " + (p.config().keepsForever() ? "forever" : p.config().keepAlive().toSeconds() + " s")
                    + (p.config().preload() ? ", preloaded" : "") + "), needs about " + p.memory().describe());
            // The same decisions as `slm profile MODEL` shows, made the same way (LaunchPlanner).
            LaunchPlanText.lines(p.launch()).forEach(l -> System.out.println("  " + l.label() + ": " + l.value()));
        }
        config.routing().ifPresent(routing -> routing.routes().forEach(r -> System.out.println("route " + r.name()
                + ": models " + String.join(",", r.models()) + (r.upstream() == null || r.localOnly() ? ", local only"
                : ", may escalate to " + r.upstream().name() + " (" + r.upstream().baseUrl() + ", model " + r.upstream().model() + ")"))));
    }

    private int serve(ServerConfig config) {
        if (!Verbosity.isVerbose()) {
            // An operator wants a line per request and per model load in the journal; `-v` adds DEBUG.
            ((Logger) LoggerFactory.getLogger("dev.slm")).setLevel(Level.INFO);
        }
        SystemdNotifier systemd = SystemdNotifier.fromEnvironment();
        SlmServer server = SlmServer.start(config);
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), signal -> stop.countDown());
            } catch (IllegalArgumentException e) {
                // not on this platform
            }
        }
        // Anything else that ends the JVM still ends the runners.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.shutdown(Duration.ofSeconds(2)), "slm-shutdown"));
        Thread.ofPlatform().daemon().name("slm-ready-notify").start(() -> {
            while (!server.notReady().isEmpty() && stop.getCount() > 0) {
                sleep(200);
            }
            if (stop.getCount() > 0) {
                systemd.ready("serving " + config.models().size() + " model(s) on " + config.host() + ":" + server.port());
            }
        });
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        systemd.stopping("draining, up to " + config.shutdownGrace().toSeconds() + " s");
        server.shutdown(config.shutdownGrace());
        return ExitCodes.OK;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
