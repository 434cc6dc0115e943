package dev.slm.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** The global -v switch: slm's DEBUG logs and llama.cpp's own log lines, all on stderr. */
final class Verbosity {
    private static volatile boolean verbose;

    private Verbosity() {
    }

    static void enable() {
        verbose = true;
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.DEBUG);
    }

    static boolean isVerbose() {
        return verbose;
    }
}
