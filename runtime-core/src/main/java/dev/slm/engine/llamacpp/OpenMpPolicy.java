package dev.slm.engine.llamacpp;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes llama.cpp's OpenMP threads sleep when they wait, instead of spinning.
 *
 * <p>The bundled library runs its thread team on libgomp, whose threads spin for a long while
 * (300,000 iterations, milliseconds) at every barrier between two operations of the graph, and a
 * token is hundreds of operations. That is fastest on cores nobody else wants; but when anything
 * else runs, the JVM's own threads passing tokens along or another process, a spinning thread holds
 * a core the awaited thread needs, and the scheduler penalizes the spinner. Measured on a 2-vCPU
 * machine under load (docs/performance.md): with 2 threads the fixture model fell from about 1,100
 * to 25 tokens/s and SmolLM2-135M from about 30 to 2; with {@code OMP_WAIT_POLICY=PASSIVE} both
 * kept their speed.
 *
 * <p>libgomp reads its environment once, when it is loaded, so the variable is set in this process
 * before the native library loads: that covers every way slm runs (the command, the server's
 * runner processes, applications using the API), not just the launcher. A user who sets
 * {@code OMP_WAIT_POLICY} or {@code GOMP_SPINCOUNT} keeps that choice.
 */
public final class OpenMpPolicy {
    private static final Logger log = LoggerFactory.getLogger(OpenMpPolicy.class);
    static final String VARIABLE = "OMP_WAIT_POLICY";
    static final String DEFAULT = "PASSIVE";
    private static volatile String effective;

    private interface LibC extends Library {
        int setenv(String name, String value, int overwrite);
    }

    private OpenMpPolicy() {
    }

    /** Call before the native library loads. */
    static synchronized void apply() {
        if (effective != null) {
            return;
        }
        String policy = System.getenv(VARIABLE);
        String spin = System.getenv("GOMP_SPINCOUNT");
        if (policy != null || spin != null) {
            effective = (policy != null ? VARIABLE + "=" + policy : "") + (policy != null && spin != null ? " " : "")
                    + (spin != null ? "GOMP_SPINCOUNT=" + spin : "") + " (from the environment)";
            return;
        }
        if (Platform.isWindows()) {
            effective = "OpenMP defaults";
            return;
        }
        try {
            Native.load(Platform.C_LIBRARY_NAME, LibC.class).setenv(VARIABLE, DEFAULT, 0);
            effective = VARIABLE + "=" + DEFAULT + " (slm's default)";
        } catch (UnsatisfiedLinkError e) {
            log.debug("cannot set {}: {}", VARIABLE, e.getMessage());
            effective = "OpenMP defaults";
        }
    }

    /**
     * slm's own library is built without OpenMP (GGML_OPENMP=OFF): ggml's thread pool polls briefly
     * and then sleeps, on its own, so there is no policy to set.
     */
    static synchronized void notUsed() {
        effective = "ggml thread pool (no OpenMP)";
    }

    /** How llama.cpp's threads wait in this process, once the native library is loaded. */
    public static String effective() {
        return effective == null ? "not loaded yet" : effective;
    }
}
