package dev.slm.hardware;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import java.util.Optional;

/** sysctlbyname(3) through JNA: how macOS tells its chip, cores and memory. */
final class MacSysctl implements SysctlQuery {
    private final LibC libc;

    private MacSysctl(LibC libc) {
        this.libc = libc;
    }

    static SysctlQuery live() {
        try {
            return new MacSysctl(Native.load("c", LibC.class));
        } catch (UnsatisfiedLinkError e) {
            return SysctlQuery.NONE;
        }
    }

    @Override
    public Optional<String> string(String name) {
        return raw(name).map(v -> v.data().getString(0));
    }

    @Override
    public Optional<Long> number(String name) {
        return raw(name).flatMap(v -> switch ((int) v.size()) {
            case 4 -> Optional.of((long) v.data().getInt(0));
            case 8 -> Optional.of(v.data().getLong(0));
            default -> Optional.empty();
        });
    }

    private record Value(Memory data, long size) {
    }

    private Optional<Value> raw(String name) {
        try {
            LongByReference size = new LongByReference();
            if (libc.sysctlbyname(name, null, size, null, 0) != 0 || size.getValue() <= 0) {
                return Optional.empty();
            }
            Memory buffer = new Memory(size.getValue());
            if (libc.sysctlbyname(name, buffer, size, null, 0) != 0) {
                return Optional.empty();
            }
            return Optional.of(new Value(buffer, size.getValue()));
        } catch (UnsatisfiedLinkError e) {
            // A libc without sysctlbyname (glibc): nothing to tell.
            return Optional.empty();
        }
    }

    interface LibC extends Library {
        int sysctlbyname(String name, Pointer oldp, LongByReference oldlenp, Pointer newp, long newlen);
    }
}
