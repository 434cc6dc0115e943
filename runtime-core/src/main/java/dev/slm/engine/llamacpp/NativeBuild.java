package dev.slm.engine.llamacpp;

import dev.slm.SlmException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The llama.cpp build slm runs on for a platform: its own (built by native-profiles/native from the
 * release pinned in llama.cpp.lock, packaged under {@code dev/slm/native/OS-ARCH/}), or, where it has
 * none (macOS, Windows today), the b4916 library inside java-llama.cpp's jar.
 *
 * @param platform      "linux-x86_64", as the resource folder names it
 * @param release       the llama.cpp release ("v0.5.0", or "b4916" for the binding's)
 * @param files         the files of an own build, in load order of no importance (empty for the binding's)
 * @param architectures the model architectures that build can load
 * @param indexId       a short hash of the build's index: names the folder it is extracted to
 */
public record NativeBuild(String platform, String release, List<BuildFile> files, Set<String> architectures,
                          String indexId) {

    /** One file of an own build, as the index lists it. */
    public record BuildFile(String name, String sha256, long size) {
    }

    static final String RESOURCE_ROOT = "/dev/slm/native/";

    /** llama.cpp's LLM_ARCH_NAMES at b4916, read from the strings of java-llama.cpp 4.2.0's libjllama.so. */
    static final Set<String> BINDING_ARCHITECTURES = Set.of(
            "llama", "deci", "falcon", "grok", "gpt2", "gptj", "gptneox", "mpt", "baichuan", "starcoder",
            "refact", "bert", "nomic-bert", "jina-bert-v2", "bloom", "stablelm", "qwen", "qwen2", "qwen2moe",
            "qwen2vl", "phi2", "phi3", "phimoe", "plamo", "codeshell", "orion", "internlm2", "minicpm",
            "minicpm3", "gemma", "gemma2", "gemma3", "starcoder2", "mamba", "xverse", "command-r", "cohere2",
            "dbrx", "olmo", "olmo2", "olmoe", "openelm", "arctic", "deepseek", "deepseek2", "chatglm",
            "bitnet", "t5", "t5encoder", "jais", "nemotron", "exaone", "rwkv6", "rwkv6qwen2", "rwkv7",
            "arwkv7", "granite", "granitemoe", "chameleon", "wavtokenizer-dec");

    private static volatile NativeBuild current;

    public NativeBuild {
        files = List.copyOf(files);
        architectures = Set.copyOf(architectures);
    }

    /** The build for this JVM's platform. */
    public static NativeBuild current() {
        NativeBuild b = current;
        if (b == null) {
            b = forPlatform(platformOf(System.getProperty("os.name"), System.getProperty("os.arch")));
            current = b;
        }
        return b;
    }

    /** The build for {@code platform} ("linux-x86_64"): slm's own if this jar carries one, else the binding's. */
    public static NativeBuild forPlatform(String platform) {
        return own(platform).orElseGet(() -> new NativeBuild(platform, "b4916", List.of(), BINDING_ARCHITECTURES, ""));
    }

    /** Whether this is slm's own build (else java-llama.cpp's bundled b4916 library). */
    public boolean isOwn() {
        return !files.isEmpty();
    }

    /** One line for `slm --version` and `slm profile`. */
    public String describe() {
        return isOwn()
                ? "llama.cpp " + release + ", slm's own build (" + platform + ")"
                : "llama.cpp " + release + " inside java-llama.cpp " + LlamaNativeLibrary.bindingVersion()
                        + " (slm has no own build for " + platform + ")";
    }

    /** "linux-x86_64" from Java's os.name and os.arch. */
    static String platformOf(String osName, String osArch) {
        return osOf(osName) + "-" + archOf(osArch);
    }

    /** "linux", "mac" or "windows" from Java's os.name. */
    static String osOf(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        return os.contains("mac") || os.contains("darwin") ? "mac" : os.contains("win") ? "windows" : "linux";
    }

    /** "x86_64", "aarch64" or "x86" from Java's os.arch (others as they are). */
    static String archOf(String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64", "x64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            case "x86", "i386", "i686" -> "x86";
            default -> arch;
        };
    }

    private static Optional<NativeBuild> own(String platform) {
        String resource = RESOURCE_ROOT + platform + "/files.txt";
        try (InputStream in = NativeBuild.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] index = in.readAllBytes();
            return Optional.of(parse(platform, new String(index, StandardCharsets.UTF_8), sha256(index).substring(0, 16)));
        } catch (IOException e) {
            throw new SlmException("cannot read " + resource + ": " + e.getMessage());
        }
    }

    /** Reads an index written by native-profiles/native/build.sh ("key=value" lines). */
    static NativeBuild parse(String platform, String index, String indexId) {
        String release = null;
        List<BuildFile> files = new ArrayList<>();
        Set<String> architectures = new LinkedHashSet<>();
        try (BufferedReader r = new BufferedReader(new java.io.StringReader(index))) {
            for (String line; (line = r.readLine()) != null; ) {
                int eq = line.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String key = line.substring(0, eq);
                String value = line.substring(eq + 1).strip();
                switch (key) {
                    case "release" -> release = value;
                    case "file" -> {
                        String[] f = value.split(" ");
                        if (f.length != 3 || f[0].contains("/")) {
                            throw new SlmException("bad file line in the native library index: " + line);
                        }
                        files.add(new BuildFile(f[0], f[1], Long.parseLong(f[2])));
                    }
                    case "arch" -> architectures.add(value);
                    default -> {
                        // commit= and later additions: informative
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new SlmException("the native library index for " + platform + " is damaged: " + e.getMessage());
        }
        if (release == null || files.isEmpty() || architectures.isEmpty()) {
            throw new SlmException("the native library index for " + platform + " lacks its release, files or architectures");
        }
        return new NativeBuild(platform, release, files, architectures, indexId);
    }

    /** The SHA-256 of {@code data} in lower-case hex. */
    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
