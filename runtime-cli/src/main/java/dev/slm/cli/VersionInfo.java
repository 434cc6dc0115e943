package dev.slm.cli;

import dev.slm.engine.llamacpp.LlamaNativeLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** `slm --version`: slm's version and the inference library under it. */
final class VersionInfo implements CommandLine.IVersionProvider {

    static String slmVersion() {
        try (InputStream in = VersionInfo.class.getResourceAsStream("/slm-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "slm " + slmVersion(),
            "llama.cpp b4916 via java-llama.cpp " + LlamaNativeLibrary.bindingVersion(),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch")
        };
    }
}
