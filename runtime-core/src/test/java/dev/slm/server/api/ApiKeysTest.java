package dev.slm.server.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
    private final ApiKeys keys = new ApiKeys(List.of("first-key-0001", "second-key-002"));

    @Test
    void acceptsAnyConfiguredKeyAsBearer() {
        assertTrue(keys.required());
        assertTrue(keys.accepts("Bearer first-key-0001"));
        assertTrue(keys.accepts("bearer second-key-002"));
    }

    @Test
    void refusesAnythingElse() {
        assertFalse(keys.accepts(null));
        assertFalse(keys.accepts(""));
        assertFalse(keys.accepts("first-key-0001"), "the Bearer scheme is required");
        assertFalse(keys.accepts("Basic Zmlyc3Qta2V5LTAwMDE="));
        assertFalse(keys.accepts("Bearer first-key-000"), "a prefix is not the key");
        assertFalse(keys.accepts("Bearer first-key-00011"));
        assertFalse(keys.accepts("Bearer "));
    }

    @Test
    void noKeysMeansNoneRequired() {
        assertFalse(new ApiKeys(List.of()).required());
    }
}
