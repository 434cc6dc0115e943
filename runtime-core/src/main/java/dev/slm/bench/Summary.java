package dev.slm.bench;

import java.util.Arrays;

/**
 * Repeated measurements of one quantity and their spread.
 *
 * @param samples in the order they were taken
 * @param stddev  sample standard deviation (n - 1 in the denominator, as llama-bench computes
 *                it); 0 for a single sample
 */
public record Summary(double[] samples, double median, double mean, double stddev, double min, double max) {

    public static Summary of(double... samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples to summarize");
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        double mean = Arrays.stream(sorted).sum() / n;
        double squares = Arrays.stream(sorted).map(x -> (x - mean) * (x - mean)).sum();
        double stddev = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
        return new Summary(samples.clone(), median, mean, stddev, sorted[0], sorted[n - 1]);
    }

    /** Tokens per second from {@code tokens} processed in each of {@code nanos}. */
    public static Summary rates(int tokens, long... nanos) {
        return of(Arrays.stream(nanos).mapToDouble(ns -> tokens / (ns / 1e9)).toArray());
    }

    /** The same measurements in another unit, e.g. milliseconds from nanoseconds. */
    public static Summary scaled(double factor, long... values) {
        return of(Arrays.stream(values).mapToDouble(v -> v * factor).toArray());
    }

    @Override
    public double[] samples() {
        return samples.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Summary s && Arrays.equals(samples, s.samples);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(samples);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "median %.3f (mean %.3f, stddev %.3f, min %.3f, max %.3f, n=%d)",
                median, mean, stddev, min, max, samples.length);
    }
}
