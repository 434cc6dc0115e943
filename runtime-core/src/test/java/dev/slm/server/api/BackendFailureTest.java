package dev.slm.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.slm.routing.local.LocalFailureException;
import dev.slm.server.backend.BackendException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hosting layer says what went wrong in its own words; the HTTP layer alone turns that into a
 * status code, and the router's side alone into an escalation kind (it no longer decodes statuses).
 */
class BackendFailureTest {

    private static int status(BackendException e) {
        return ApiException.of(e).status();
    }

    private static LocalFailureException.Kind escalation(BackendException e) {
        return BackendAnswerer.failure(e) instanceof LocalFailureException f ? f.kind() : null;
    }

    @Test
    void eachKindHasItsStatusAndErrorCode() {
        assertEquals(404, status(BackendException.missing("m")));
        assertEquals("model_not_found", ApiException.of(BackendException.missing("m")).code());
        assertEquals("model", ApiException.of(BackendException.missing("m")).param());
        ApiException busy = ApiException.of(BackendException.busy("m", 3));
        assertEquals(429, busy.status());
        assertEquals(Map.of("Retry-After", "3"), busy.headers());
        assertEquals("queue_full", busy.code());
        ApiException backingOff = ApiException.of(BackendException.notLoaded("model_load_failed", "failed", 8));
        assertEquals(503, backingOff.status());
        assertEquals(Map.of("Retry-After", "8"), backingOff.headers());
        assertEquals("memory_budget", ApiException.of(BackendException.outOfMemory("too big")).code());
        assertEquals(503, status(BackendException.outOfMemory("too big")));
        assertEquals(504, status(BackendException.timeout("late")));
        assertEquals("runner_stalled", ApiException.of(BackendException.crashed("runner_stalled", "stuck")).code());
        assertEquals(503, status(BackendException.crashed("runner_crashed", "died")));
        assertEquals(400, status(BackendException.rejected(null, "prompt too long")));
        assertEquals("rejected_by_model", ApiException.of(BackendException.rejected(null, "x")).code());
        assertEquals("input", ApiException.of(BackendException.rejected("input", "x")).param());
        assertEquals(503, status(BackendException.stopped("shutting_down", "bye")));
        assertEquals(500, status(BackendException.failed("engine error")));
    }

    @Test
    void theRouterSeesEscalationKindsAndRequestFaultsStayTheServers() {
        assertEquals(LocalFailureException.Kind.MODEL_MISSING, escalation(BackendException.missing("m")));
        assertEquals(LocalFailureException.Kind.MODEL_MISSING, escalation(BackendException.notLoaded("runner_failed", "no java")));
        assertEquals(LocalFailureException.Kind.QUEUE_FULL, escalation(BackendException.busy("m", 1)));
        assertEquals(LocalFailureException.Kind.OUT_OF_MEMORY, escalation(BackendException.outOfMemory("too big")));
        assertEquals(LocalFailureException.Kind.ERROR, escalation(BackendException.crashed("runner_crashed", "died")));
        assertEquals(LocalFailureException.Kind.ERROR, escalation(BackendException.failed("engine error")));
        BackendException rejected = BackendException.rejected(null, "prompt too long");
        assertSame(rejected, BackendAnswerer.failure(rejected));
        BackendException late = BackendException.timeout("late");
        assertSame(late, BackendAnswerer.failure(late));
        // Not escalated after all: the client gets the server's own answer for the backend's failure.
        LocalFailureException busy = (LocalFailureException) BackendAnswerer.failure(BackendException.busy("m", 2));
        assertEquals(429, BackendAnswerer.asApiException(busy).status());
    }
}
