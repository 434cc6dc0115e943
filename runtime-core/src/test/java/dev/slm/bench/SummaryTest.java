package dev.slm.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SummaryTest {
    private static final double EPS = 1e-9;

    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        Summary s = Summary.of(5, 1, 4, 2, 3);
        assertEquals(3, s.median(), EPS);
        assertEquals(1, s.min(), EPS);
        assertEquals(5, s.max(), EPS);
        assertEquals(3, s.mean(), EPS);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
        assertEquals(2.5, Summary.of(4, 1, 3, 2).median(), EPS);
        assertEquals(15, Summary.of(10, 20).median(), EPS);
    }

    @Test
    void stddevIsTheSampleStandardDeviationAsLlamaBenchComputesIt() {
        // mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, divided by n-1 = 7
        Summary s = Summary.of(2, 4, 4, 4, 5, 5, 7, 9);
        assertEquals(5, s.mean(), EPS);
        assertEquals(Math.sqrt(32.0 / 7), s.stddev(), EPS);
    }

    @Test
    void aSingleSampleHasNoSpread() {
        Summary s = Summary.of(42);
        assertEquals(42, s.median(), EPS);
        assertEquals(0, s.stddev(), EPS);
        assertEquals(42, s.min(), EPS);
        assertEquals(42, s.max(), EPS);
    }

    @Test
    void samplesKeepTheirOrderAndCannotBeChangedFromOutside() {
        double[] in = {3, 1, 2};
        Summary s = Summary.of(in);
        in[0] = 100;
        assertArrayEquals(new double[] {3, 1, 2}, s.samples(), EPS);
        s.samples()[1] = 100;
        assertArrayEquals(new double[] {3, 1, 2}, s.samples(), EPS);
    }

    @Test
    void ratesAreTokensPerSecondOfEachRun() {
        // 512 tokens in 0.5 s and in 2 s
        Summary s = Summary.rates(512, 500_000_000L, 2_000_000_000L);
        assertArrayEquals(new double[] {1024, 256}, s.samples(), EPS);
        assertEquals(640, s.median(), EPS);
    }

    @Test
    void scaledConvertsUnits() {
        Summary ms = Summary.scaled(1e-6, 1_500_000L, 2_500_000L, 3_500_000L);
        assertArrayEquals(new double[] {1.5, 2.5, 3.5}, ms.samples(), EPS);
        assertEquals(2.5, ms.median(), EPS);
    }

    @Test
    void noSamplesIsAnError() {
        assertThrows(IllegalArgumentException.class, Summary::of);
    }
}
