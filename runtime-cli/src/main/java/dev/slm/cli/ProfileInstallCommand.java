package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.engine.llamacpp.GpuPlugin;
import dev.slm.engine.llamacpp.GpuPluginInstaller;
import dev.slm.engine.llamacpp.GpuPlugins;
import dev.slm.engine.llamacpp.GpuRuntime;
import dev.slm.engine.llamacpp.NativeBuild;
import dev.slm.store.ByteSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `slm profile install cuda|vulkan`: the GPU plug-in a profile runs on, from the registry (checked
 * against gpu-plugins.lock) or from its package's tarball given by path. Nothing is ever installed
 * behind the user's back: loading a model never downloads.
 */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = {"Install the GPU plug-in of a profile (cuda, vulkan): ggml's backend, prebuilt from the",
            "llama.cpp release slm's library is, downloaded from the npm registry and checked against its pinned hash."})
final class ProfileInstallCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PROFILE", description = "cuda or vulkan.")
    String name;

    @Option(names = "--from", paramLabel = "TARBALL",
            description = "The plug-in's package tarball on this machine (no network), as gpu-plugins.lock names it.")
    Path from;

    @Option(names = "--force", description = "Install again even when the pinned package is installed already.")
    boolean force;

    @Override
    public Integer call() {
        String platform = NativeBuild.current().platform();
        GpuPlugin plugin = GpuPlugins.find(name, platform).orElseThrow(() -> new SlmException("no " + name
                + " plug-in for " + platform + ": slm has " + String.join(", ", GpuPlugins.all().stream()
                        .filter(g -> g.platform().equals(platform)).map(GpuPlugin::name).toList()).replaceFirst("^$", "none") + " here"));
        if (from != null && !Files.isRegularFile(from)) {
            throw new SlmException("--from " + from + ": no such file (give the package's .tgz)");
        }
        boolean already = !force && GpuPluginInstaller.current(plugin);
        Path file = already ? GpuPluginInstaller.folder(plugin).resolve(plugin.fileName())
                : GpuPluginInstaller.install(plugin, Optional.ofNullable(from), StoreOptions.progress());
        System.out.println(plugin.name() + " plug-in " + (already ? "already installed: " : "installed: ") + file + " (" + plugin.packageLabel() + ", llama.cpp "
                + plugin.release() + ", " + ByteSize.format(sizeOf(file)) + ")");
        GpuRuntime.problem(plugin, file, System::getenv)
                .ifPresent(p -> System.out.println("not usable yet: " + p));
        return ExitCodes.OK;
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
