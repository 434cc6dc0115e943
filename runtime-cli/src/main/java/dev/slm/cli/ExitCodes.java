package dev.slm.cli;

/** Exit codes of {@code slm}, following sysexits where one fits. */
final class ExitCodes {
    static final int OK = 0;
    /** The request could not be carried out: bad model file, unknown model, failed download... */
    static final int FAILURE = 1;
    /** The command line itself is wrong. */
    static final int USAGE = 2;
    /**
     * {@code slm serve} cannot start with its configuration (sysexits EX_CONFIG). The unit lists it in
     * RestartPreventExitStatus: restarting cannot fix a broken config file, so systemd stops trying.
     */
    static final int CONFIG = 78;
    /** A bug in slm. */
    static final int INTERNAL = 70;
    /** Interrupted by Ctrl-C (128 + SIGINT). */
    static final int INTERRUPTED = 130;

    private ExitCodes() {
    }
}
