package dev.slm.engine.llamacpp;

import java.util.Map;

/**
 * One GPU backend plug-in of ggml (GGML_BACKEND_DL), as native-profiles/native/gpu-plugins.lock pins it:
 * a file inside an npm package built from the same llama.cpp release as slm's own library.
 *
 * @param name      the profile that uses it: "cuda", "vulkan"
 * @param platform  "linux-x86_64"
 * @param release   the llama.cpp release it was built from
 * @param pkg       the npm package ("@node-llama-cpp/linux-x64-cuda")
 * @param url       the package's tarball in the registry
 * @param integrity the registry's integrity of the tarball ("sha512-BASE64")
 * @param sha256    the tarball's SHA-256, hex
 * @param size      the tarball's size in bytes
 * @param file      the plug-in's path inside the tarball
 * @param runtime   each library the plug-in needs from the system, and where it comes from
 */
public record GpuPlugin(String name, String platform, String release, String pkg, String version, String url,
                        String integrity, String sha256, long size, String file, Map<String, String> runtime) {

    public GpuPlugin {
        runtime = Map.copyOf(runtime);
    }

    /** The plug-in's file name, as ggml looks for it: "libggml-cuda.so". */
    public String fileName() {
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /** "@node-llama-cpp/linux-x64-cuda@3.22.1". */
    public String packageLabel() {
        return pkg + "@" + version;
    }
}
