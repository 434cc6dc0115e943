package dev.slm.engine.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OpenMpPolicyTest {
    private interface LibC extends Library {
        String getenv(String name);
    }

    @Test
    void threadsSleepWhenTheyWaitUnlessTheUserChose() {
        assumeTrue(System.getenv("OMP_WAIT_POLICY") == null && System.getenv("GOMP_SPINCOUNT") == null,
                "the environment chose a policy itself");
        assumeTrue(!Platform.isWindows());
        LlamaNativeLibrary.load(Optional.empty());
        if (NativeBuild.current().isOwn()) {
            // slm's own library has no OpenMP: ggml's thread pool polls, then sleeps, by itself.
            assertEquals("ggml thread pool (no OpenMP)", OpenMpPolicy.effective());
            return;
        }
        assertEquals("OMP_WAIT_POLICY=PASSIVE (slm's default)", OpenMpPolicy.effective());
        // What libgomp read when it was loaded: the C environment, not Java's snapshot of it.
        assertEquals("PASSIVE", Native.load(Platform.C_LIBRARY_NAME, LibC.class).getenv("OMP_WAIT_POLICY"));
    }
}
