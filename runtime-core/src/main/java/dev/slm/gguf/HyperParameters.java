package dev.slm.gguf;

import java.util.Map;
import java.util.function.Function;

/**
 * The model hyper-parameters llama.cpp trusts without checking: a zero layer count or a NaN or
 * negative norm epsilon makes it abort the whole process (exit 134) while loading. They are
 * checked here, from the header, so such a file gets one line naming the key instead.
 */
final class HyperParameters {
    private HyperParameters() {
    }

    static void check(Map<String, Object> metadata, Function<String, GgufException> corrupt) {
        if (!(metadata.get("general.architecture") instanceof String arch)) {
            return;
        }
        atLeastOne(metadata, arch + ".block_count", corrupt);
        atLeastOne(metadata, arch + ".embedding_length", corrupt);
        atLeastOne(metadata, arch + ".context_length", corrupt);
        epsilon(metadata, arch + ".attention.layer_norm_rms_epsilon", corrupt);
        epsilon(metadata, arch + ".attention.layer_norm_epsilon", corrupt);
    }

    private static void atLeastOne(Map<String, Object> metadata, String key, Function<String, GgufException> corrupt) {
        Object v = metadata.get(key);
        if (v instanceof Number n && n.longValue() < 1) {
            throw corrupt.apply(key + " is " + n + "; it must be at least 1");
        }
    }

    private static void epsilon(Map<String, Object> metadata, String key, Function<String, GgufException> corrupt) {
        Object v = metadata.get(key);
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (!Double.isFinite(d) || d < 0) {
                throw corrupt.apply(key + " is " + n + "; it must be a finite number, zero or more");
            }
        }
    }
}
