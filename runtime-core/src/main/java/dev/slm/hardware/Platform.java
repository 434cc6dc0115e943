package dev.slm.hardware;

import java.util.Locale;

/** The short names profiles use for operating systems and CPU architectures. */
public final class Platform {
    public static final String LINUX = "linux";
    public static final String MAC = "mac";
    public static final String WINDOWS = "windows";

    private Platform() {
    }

    /** linux, mac, windows, or the lower-cased name for anything else. */
    public static String os(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.contains("mac") || os.contains("darwin")) {
            return MAC;
        }
        if (os.contains("win")) {
            return WINDOWS;
        }
        return os.contains("linux") ? LINUX : os.replace(' ', '-');
    }

    /** x86_64 and aarch64 under their usual names, anything else lower-cased. */
    public static String arch(String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64", "x64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
    }
}
