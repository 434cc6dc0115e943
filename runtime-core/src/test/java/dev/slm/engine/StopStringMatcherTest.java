package dev.slm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {

    @Test
    void passesTextThroughWithoutStopStrings() {
        StopStringMatcher m = new StopStringMatcher(List.of());
        assertEquals("Once", m.accept("Once"));
        assertFalse(m.stopped());
    }

    @Test
    void holdsBackAPossibleStartAndReleasesItWhenItIsNot() {
        StopStringMatcher m = new StopStringMatcher(List.of("END"));
        assertEquals("the ", m.accept("the E"));
        assertEquals("", m.accept("N"));
        assertEquals("ENough", m.accept("ough"));
        assertFalse(m.stopped());
    }

    @Test
    void stopsAcrossPiecesAndDropsTheStopString() {
        StopStringMatcher m = new StopStringMatcher(List.of("\nUser:"));
        assertEquals("Hi there.", m.accept("Hi there.\nUs"));
        assertEquals("", m.accept("er: and more"));
        assertTrue(m.stopped());
    }

    @Test
    void theEarliestOfSeveralStopStringsWins() {
        StopStringMatcher m = new StopStringMatcher(List.of("cat", "a"));
        assertEquals("the ", m.accept("the cat"));
        assertTrue(m.stopped());
    }

    @Test
    void flushReturnsHeldTextWhenGenerationEnds() {
        StopStringMatcher m = new StopStringMatcher(List.of("stop"));
        assertEquals("go ", m.accept("go st"));
        assertEquals("st", m.flush());
    }
}
