package dev.slm.cli;

import dev.slm.ResourceProperties;
import dev.slm.engine.llamacpp.LlamaNativeLibrary;
import dev.slm.engine.llamacpp.NativeBuild;
import picocli.CommandLine;

/** `slm --version`: slm's version and the inference library under it. */
final class VersionInfo implements CommandLine.IVersionProvider {

    static String slmVersion() {
        return ResourceProperties.value("/slm-version.properties", "version", "unknown");
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "slm " + slmVersion(),
            NativeBuild.current().describe() + ", through java-llama.cpp " + LlamaNativeLibrary.bindingVersion() + "'s API",
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch")
        };
    }
}
