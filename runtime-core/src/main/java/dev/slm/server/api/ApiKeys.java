package dev.slm.server.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The accepted {@code Authorization: Bearer} keys. A presented key is hashed and compared with every
 * key's hash using {@link MessageDigest#isEqual} (constant time for equal lengths, and hashes are
 * always 32 bytes), without stopping at the first match: the time taken tells nothing about the keys.
 */
final class ApiKeys {
    private final List<byte[]> hashes;

    ApiKeys(List<String> keys) {
        this.hashes = keys.stream().map(ApiKeys::sha256).toList();
    }

    boolean required() {
        return !hashes.isEmpty();
    }

    /** Whether an {@code Authorization} header value carries one of the keys. */
    boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] presented = sha256(authorization.substring(7).strip());
        boolean match = false;
        for (byte[] h : hashes) {
            match |= MessageDigest.isEqual(h, presented);
        }
        return match;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
