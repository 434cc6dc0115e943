package dev.slm.hardware;

import java.util.Optional;

/** sysctl answers by name (macOS); {@link #NONE} elsewhere. */
public interface SysctlQuery {
    SysctlQuery NONE = new SysctlQuery() {
        @Override
        public Optional<String> string(String name) {
            return Optional.empty();
        }

        @Override
        public Optional<Long> number(String name) {
            return Optional.empty();
        }
    };

    Optional<String> string(String name);

    Optional<Long> number(String name);
}
