package dev.slm.engine.llamacpp;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.slm.hardware.VulkanDevices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether a GPU plug-in can load on this machine, checked before ggml tries: each library it needs
 * (its ELF NEEDED entries) is opened as the dynamic linker would open it, and for Vulkan the devices
 * are listed as ggml lists them. ggml's loader in a release build drops a plug-in that fails without
 * a word; this says which library is missing and where it comes from.
 */
public final class GpuRuntime {
    private static final int RTLD_LAZY = 1;
    /** The C and C++ runtime every Linux has, and ggml's own base library (slm's, linked beside the plug-in). */
    private static final List<String> PROVIDED = List.of("libc.so", "libm.so", "libdl.so", "libpthread.so", "librt.so",
            "libstdc++.so", "libgcc_s.so", "ld-linux", "libggml-base.so", "libggml.so");

    private GpuRuntime() {
    }

    /**
     * @param plugin the lock's entry (for where each library comes from)
     * @param file   the plug-in file to check
     * @return what keeps it from loading, one line; empty when it can load
     */
    public static Optional<String> problem(GpuPlugin plugin, Path file, Function<String, String> env) {
        List<String> missing = new ArrayList<>();
        for (String lib : ElfNeeded.of(file)) {
            if (PROVIDED.stream().anyMatch(lib::startsWith) || Files.exists(file.resolveSibling(lib))) {
                continue; // the plug-in's RUNPATH is $ORIGIN: a library beside it is found there
            }
            Optional<String> error = openError(lib);
            if (error.isPresent()) {
                String from = plugin.runtime().get(lib);
                missing.add(lib + (error.get().contains(lib) ? " is missing" : " cannot load (" + error.get() + ")")
                        + (from != null ? ": install " + from : ""));
            }
        }
        if (!missing.isEmpty()) {
            return Optional.of("the " + plugin.name() + " plug-in cannot load: " + String.join("; ", missing));
        }
        if (plugin.name().equals("vulkan")) {
            return vulkanDevices(env);
        }
        return Optional.empty();
    }

    /** ggml's rule: every GPU device (else the first non-CPU one); CPU devices only when GGML_VK_VISIBLE_DEVICES names them. */
    private static Optional<String> vulkanDevices(Function<String, String> env) {
        List<VulkanDevices.Device> devices = VulkanDevices.list().orElse(List.of());
        if (devices.isEmpty()) {
            return Optional.of("Vulkan finds no device: install a Vulkan driver for the GPU (mesa-vulkan-drivers for"
                    + " AMD and Intel, the NVIDIA driver for NVIDIA)");
        }
        boolean named = env.apply("GGML_VK_VISIBLE_DEVICES") != null;
        if (!named && devices.stream().allMatch(VulkanDevices.Device::cpu)) {
            return Optional.of("Vulkan finds only " + String.join(", ", devices.stream().map(VulkanDevices.Device::describe).toList())
                    + ", which ggml leaves unused (no faster than its CPU backend; GGML_VK_VISIBLE_DEVICES=0 uses it anyway)");
        }
        return Optional.empty();
    }

    /** dlerror's message when {@code lib} cannot be opened by its name, as the plug-in names it. */
    private static Optional<String> openError(String lib) {
        Dl dl;
        try {
            dl = Native.load("c", Dl.class);
        } catch (LinkageError e) {
            return Optional.empty(); // cannot ask (no JNA here): ggml's own loader decides
        }
        Pointer handle = dl.dlopen(lib, RTLD_LAZY);
        if (handle == null) {
            String error = dl.dlerror();
            return Optional.of(error == null ? lib : error);
        }
        dl.dlclose(handle);
        return Optional.empty();
    }

    /** glibc 2.34+ has dlopen in libc itself (slm's native library needs 2.36). */
    interface Dl extends Library {
        Pointer dlopen(String file, int mode);

        String dlerror();

        int dlclose(Pointer handle);
    }
}
