package dev.slm.profile;

import static dev.slm.hardware.MemorySize.gib;

import dev.slm.engine.llamacpp.GpuPlugin;
import dev.slm.engine.llamacpp.GpuPluginInstaller;
import dev.slm.engine.llamacpp.GpuPlugins;
import dev.slm.engine.llamacpp.GpuRuntime;
import dev.slm.engine.llamacpp.LlamaNativeLibrary;
import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.hardware.MachineFacts;
import dev.slm.hardware.NvidiaGpu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Chooses the profile: the highest-priority one whose requirements the machine meets and whose native
 * library is there. A better profile without its library (CUDA without a CUDA build of libjllama) gives
 * way to the next, with one line saying how to enable it. {@code --profile} or {@code SLM_PROFILE}
 * name a profile outright.
 */
public final class ProfileSelector {
    public static final String PROFILE_ENV = "SLM_PROFILE";

    private final ProfileCatalog catalog;
    private final Function<String, String> env;

    public ProfileSelector(ProfileCatalog catalog, Function<String, String> env) {
        this.catalog = catalog;
        this.env = env;
    }

    /**
     * @param requested a profile named on the command line; else {@code SLM_PROFILE}; else detection decides
     * @throws IllegalArgumentException for a profile name that does not exist
     */
    public ProfileChoice select(MachineFacts facts, Optional<String> requested) {
        Optional<String> named = requested.filter(s -> !s.isBlank()).map(String::strip);
        if (named.isPresent()) {
            return forced(facts, named.get(), "--profile");
        }
        Optional<String> fromEnv = Optional.ofNullable(env.apply(PROFILE_ENV)).filter(s -> !s.isBlank()).map(String::strip);
        return fromEnv.isPresent() ? forced(facts, fromEnv.get(), PROFILE_ENV) : detected(facts);
    }

    private ProfileChoice forced(MachineFacts facts, String name, String by) {
        Profile p = catalog.find(name).orElseThrow(() -> new IllegalArgumentException("unknown profile '" + name
                + "': choose one of " + String.join(", ", catalog.names())));
        Suitability s = suitability(p, facts);
        boolean platform = p.requires().os().contains(facts.os()) && p.requires().arch().contains(facts.arch());
        Library lib = platform ? library(p, facts) : new Library(Optional.empty(), "none",
                Optional.of("it is made for " + String.join("/", p.requires().os()) + " on " + String.join("/", p.requires().arch())
                        + " and this is " + facts.os() + " " + facts.arch()));
        List<ProfileChoice.Verdict> verdicts = new ArrayList<>();
        for (Profile other : catalog.all()) {
            verdicts.add(other == p
                    ? new ProfileChoice.Verdict(p.name(), lib.problem().isPresent() ? ProfileChoice.Status.LIBRARY_MISSING
                    : ProfileChoice.Status.CHOSEN, "named by " + by)
                    : new ProfileChoice.Verdict(other.name(), ProfileChoice.Status.NOT_CONSIDERED, "a profile was named"));
        }
        if (lib.problem().isPresent()) {
            return new ProfileChoice(Optional.empty(), Optional.empty(), lib.description(), true,
                    "profile " + p.name() + " cannot be used: " + lib.problem().get()
                            + (platform ? lib.howToEnable(p) : ""),
                    Optional.empty(), verdicts);
        }
        String reason = "named by " + by
                + (s.unmet().isEmpty() ? "; it suits this machine (" + String.join(", ", s.met()) + ")"
                : "; detection does not see what it needs (" + String.join("; ", s.unmet()) + ")");
        return new ProfileChoice(Optional.of(p), lib.dir(), lib.description(), true, reason, Optional.empty(), verdicts);
    }

    private ProfileChoice detected(MachineFacts facts) {
        List<ProfileChoice.Verdict> verdicts = new ArrayList<>();
        Profile chosen = null;
        Library chosenLibrary = null;
        String chosenReason = null;
        Optional<String> missed = Optional.empty();
        for (Profile p : catalog.all()) {
            Suitability s = suitability(p, facts);
            if (!s.unmet().isEmpty()) {
                verdicts.add(new ProfileChoice.Verdict(p.name(), ProfileChoice.Status.NOT_SUITED, String.join("; ", s.unmet())));
                continue;
            }
            Library lib = library(p, facts);
            if (lib.problem().isPresent()) {
                verdicts.add(new ProfileChoice.Verdict(p.name(), ProfileChoice.Status.LIBRARY_MISSING,
                        lib.problem().get() + lib.howToEnable(p)));
                if (chosen == null && missed.isEmpty()) {
                    missed = Optional.of(p.name() + " suits this machine (" + String.join(", ", s.met()) + ") but "
                            + lib.problem().get() + lib.howToEnable(p));
                }
                continue;
            }
            if (chosen == null) {
                chosen = p;
                chosenLibrary = lib;
                chosenReason = String.join(", ", s.met());
                verdicts.add(new ProfileChoice.Verdict(p.name(), ProfileChoice.Status.CHOSEN, chosenReason));
            } else {
                verdicts.add(new ProfileChoice.Verdict(p.name(), ProfileChoice.Status.ALSO_SUITS,
                        "suits too, but " + chosen.name() + " comes first (priority " + chosen.priority() + " > " + p.priority() + ")"));
            }
        }
        if (chosen == null) {
            String reason = missed.map(m -> "no profile can be used: " + m)
                    .orElse("no profile is made for " + facts.os() + " " + facts.arch()
                            + ": add one to " + ProfileCatalog.userDirectory(env) + " (see native-profiles/README.md)");
            return new ProfileChoice(Optional.empty(), Optional.empty(), "none", false, reason, Optional.empty(), verdicts);
        }
        Profile best = chosen;
        Optional<String> fallback = missed.map(m -> "using " + best.name() + ": " + m);
        return new ProfileChoice(Optional.of(chosen), chosenLibrary.dir(), chosenLibrary.description(), false,
                "detected: " + chosenReason, fallback, verdicts);
    }

    /** What the machine has of what the profile asks for. */
    record Suitability(List<String> met, List<String> unmet) {
    }

    static Suitability suitability(Profile p, MachineFacts facts) {
        ProfileRequirements r = p.requires();
        List<String> met = new ArrayList<>();
        List<String> unmet = new ArrayList<>();
        if (r.os().contains(facts.os()) && r.arch().contains(facts.arch())) {
            met.add(facts.os() + " " + facts.arch());
        } else {
            unmet.add("needs " + String.join("/", r.os()) + " on " + String.join("/", r.arch())
                    + " (this is " + facts.os() + " " + facts.arch() + ")");
        }
        if (ProfileRequirements.NVIDIA.equals(r.accelerator())) {
            List<NvidiaGpu> gpus = facts.nvidia().discrete();
            if (gpus.isEmpty()) {
                unmet.add("no NVIDIA GPU found" + facts.nvidia().problem().map(w -> " (" + w + ")").orElse(""));
            } else {
                met.add(String.join(", ", gpus.stream().map(g -> g.name() + " " + gib(g.memoryTotal())).toList()));
            }
        } else if (ProfileRequirements.GPU.equals(r.accelerator())) {
            List<String> gpus = facts.gpus();
            if (gpus.isEmpty()) {
                unmet.add("no AMD or NVIDIA GPU with a display driver found (/sys/class/drm)");
            } else {
                met.add(String.join(", ", gpus));
            }
        } else if (ProfileRequirements.APPLE_SILICON.equals(r.accelerator())) {
            if (facts.apple().isPresent()) {
                met.add(facts.apple().get().name());
            } else {
                unmet.add("no Apple Silicon chip found");
            }
        }
        if (r.board() != null) {
            Optional<String> model = facts.board().map(b -> b.model());
            if (model.isPresent() && Pattern.compile(r.board()).matcher(model.get()).find()) {
                met.add(model.get());
            } else {
                unmet.add("needs a board matching /" + r.board() + "/ (" + model.map(m -> "this is " + m).orElse("no device tree") + ")");
            }
        }
        return new Suitability(met, unmet);
    }

    /** Where the profile's libjllama is, or what is wrong with it. */
    record Library(Optional<Path> dir, String description, Optional<String> problem, boolean installable) {
        Library(Optional<Path> dir, String description, Optional<String> problem) {
            this(dir, description, problem, true);
        }

        /** "; to enable it, ..." unless what is missing is not the library itself (a plug-in's runtime). */
        String howToEnable(Profile p) {
            return installable ? "; to enable it, " + p.nativeLibrary().howToEnable() : "";
        }
    }

    Library library(Profile p, MachineFacts facts) {
        NativeLibrarySpec spec = p.nativeLibrary();
        if (spec.variant() == NativeLibrarySpec.Variant.PLUGIN) {
            return plugin(spec, facts);
        }
        String file = LlamaNativeLibrary.libraryFileName(facts.os());
        String fromEnv = env.apply(spec.pathEnv());
        Optional<String> configured = Optional.ofNullable(fromEnv).filter(s -> !s.isBlank())
                .or(() -> Optional.ofNullable(spec.path()).filter(s -> !s.isBlank()));
        if (configured.isPresent()) {
            String where = fromEnv != null && !fromEnv.isBlank() ? spec.pathEnv() + "=" + fromEnv : "path " + spec.path() + " in the profile";
            Path dir = expandHome(configured.get());
            if (!Files.isRegularFile(dir.resolve(file))) {
                return new Library(Optional.empty(), "custom (" + where + ")",
                        Optional.of(where + " holds no " + file));
            }
            return new Library(Optional.of(dir), "custom " + dir.resolve(file) + " (from " + where.replaceFirst("=.*", "") + ")", Optional.empty());
        }
        if (spec.variant() == NativeLibrarySpec.Variant.CUSTOM) {
            return new Library(Optional.empty(), "custom (not configured)",
                    Optional.of("no " + p.name() + " build of libjllama is configured (" + spec.pathEnv() + " is not set)"));
        }
        NativeBuild own = NativeBuild.forPlatform(facts.os() + "-" + facts.arch());
        if (own.isOwn()) {
            // ggml picks the best CPU variant at load time: from plain x86-64 / ARMv8.0 up, no CPU
            // feature is required of the machine.
            return new Library(Optional.empty(), own.describe() + ", CPU variant chosen at load time", Optional.empty());
        }
        String bundled = "bundled in java-llama.cpp " + LlamaNativeLibrary.bindingVersion() + " (" + facts.os() + " " + facts.arch() + ")";
        if (!LlamaNativeLibrary.bundles(facts.os(), facts.arch())) {
            return new Library(Optional.empty(), bundled, Optional.of("java-llama.cpp bundles no library for " + facts.os() + " " + facts.arch()));
        }
        if (!facts.cpu().featuresKnown()) {
            return new Library(Optional.empty(), bundled + ", CPU features unknown: assumed to run", Optional.empty());
        }
        List<String> lacking = spec.bundledNeedsCpu().stream().filter(f -> !facts.cpu().features().contains(f)).toList();
        if (!lacking.isEmpty()) {
            return new Library(Optional.empty(), bundled, Optional.of("this CPU lacks " + String.join(", ", lacking)
                    + ", which the bundled " + facts.arch() + " library needs"));
        }
        return new Library(Optional.empty(), spec.bundledNeedsCpu().isEmpty() ? bundled
                : bundled + "; this CPU has " + String.join(", ", spec.bundledNeedsCpu()) + ", which it needs", Optional.empty());
    }

    /**
     * slm's own build with a GPU plug-in: installed by `slm profile install NAME`, or a folder holding
     * the plug-in file named by the profile's variable. Its directory is what the native library
     * loader gets ({@link LlamaNativeLibrary#load}); the libraries it needs are checked here, so that
     * a missing CUDA runtime is named instead of ggml dropping the plug-in without a word.
     */
    private Library plugin(NativeLibrarySpec spec, MachineFacts facts) {
        String platform = facts.os() + "-" + facts.arch();
        NativeBuild own = NativeBuild.forPlatform(platform);
        if (!own.isOwn()) {
            return new Library(Optional.empty(), "slm's own build with the " + spec.plugin() + " plug-in",
                    Optional.of("slm has no own build for " + platform + ", which ggml's GPU plug-ins need"), false);
        }
        Optional<GpuPlugin> plugin = GpuPlugins.find(spec.plugin(), platform);
        if (plugin.isEmpty()) {
            return new Library(Optional.empty(), "slm's own build with the " + spec.plugin() + " plug-in",
                    Optional.of("no prebuilt " + spec.plugin() + " plug-in exists for " + platform + " (gpu-plugins.lock)"), false);
        }
        GpuPlugin g = plugin.get();
        String fromEnv = env.apply(spec.pathEnv());
        Optional<String> configured = Optional.ofNullable(fromEnv).filter(s -> !s.isBlank())
                .or(() -> Optional.ofNullable(spec.path()).filter(s -> !s.isBlank()));
        Path file;
        String origin;
        if (configured.isPresent()) {
            origin = fromEnv != null && !fromEnv.isBlank() ? spec.pathEnv() + "=" + fromEnv : "path " + spec.path() + " in the profile";
            file = expandHome(configured.get()).resolve(g.fileName());
            if (!Files.isRegularFile(file)) {
                return new Library(Optional.empty(), "plug-in (" + origin + ")", Optional.of(origin + " holds no " + g.fileName()));
            }
        } else {
            Optional<Path> installed = GpuPluginInstaller.installed(g, env);
            if (installed.isEmpty()) {
                return new Library(Optional.empty(), "slm's own build with the " + g.name() + " plug-in",
                        Optional.of("the " + g.name() + " plug-in is not installed"));
            }
            file = installed.get();
            origin = g.packageLabel();
        }
        String description = own.describe() + " with the " + g.name() + " plug-in " + file + " (" + origin + ")";
        Optional<String> problem;
        try {
            problem = GpuRuntime.problem(g, file, env);
        } catch (dev.slm.SlmException e) {
            problem = Optional.of(e.getMessage()); // not a shared object: the next profile runs instead
        }
        return new Library(problem.isPresent() ? Optional.empty() : Optional.of(file.getParent()), description, problem, false);
    }

    private static Path expandHome(String path) {
        return path.equals("~") || path.startsWith("~/")
                ? Path.of(System.getProperty("user.home") + path.substring(1)) : Path.of(path);
    }
}
