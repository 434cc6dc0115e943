package dev.slm.server.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Consumer;

/**
 * Counters, gauges and histograms written in the Prometheus text exposition format (version 0.0.4).
 * A few dozen lines do what the server needs, so no client library is pulled in.
 */
public final class MetricRegistry {
    private final List<Family> families = new ArrayList<>();

    private abstract static class Family {
        final String name;
        final String help;
        final String type;
        final List<String> labelNames;

        Family(String name, String help, String type, String... labelNames) {
            this.name = name;
            this.help = help;
            this.type = type;
            this.labelNames = List.of(labelNames);
        }

        abstract void samples(StringBuilder out);

        void checkLabels(String... values) {
            if (values.length != labelNames.size()) {
                throw new IllegalArgumentException(name + " takes labels " + labelNames + ", got " + Arrays.toString(values));
            }
        }

        String labels(List<String> values, String extraName, String extraValue) {
            if (values.isEmpty() && extraName == null) {
                return "";
            }
            StringBuilder b = new StringBuilder("{");
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(labelNames.get(i)).append("=\"").append(escape(values.get(i))).append('"');
            }
            if (extraName != null) {
                if (!values.isEmpty()) {
                    b.append(',');
                }
                b.append(extraName).append("=\"").append(extraValue).append('"');
            }
            return b.append('}').toString();
        }
    }

    /** A value that only goes up. */
    public static final class Counter extends Family {
        private final Map<List<String>, DoubleAdder> values = new ConcurrentSkipListMap<>(MetricRegistry::compare);

        Counter(String name, String help, String... labelNames) {
            super(name, help, "counter", labelNames);
        }

        public void inc(String... labels) {
            add(1, labels);
        }

        public void add(double amount, String... labels) {
            checkLabels(labels);
            values.computeIfAbsent(List.of(labels), k -> new DoubleAdder()).add(amount);
        }

        public double get(String... labels) {
            DoubleAdder a = values.get(List.of(labels));
            return a == null ? 0 : a.sum();
        }

        @Override
        void samples(StringBuilder out) {
            values.forEach((labels, v) -> line(out, name, labels(labels, null, null), v.sum()));
        }
    }

    /** A value read when the metrics are scraped. */
    public static final class Gauge extends Family {
        private final Consumer<Sink> reader;

        /** Receives a gauge's samples at scrape time. */
        public interface Sink {
            void sample(double value, String... labels);
        }

        Gauge(String name, String help, Consumer<Sink> reader, String... labelNames) {
            super(name, help, "gauge", labelNames);
            this.reader = reader;
        }

        @Override
        void samples(StringBuilder out) {
            reader.accept((value, labels) -> {
                checkLabels(labels);
                line(out, name, labels(List.of(labels), null, null), value);
            });
        }
    }

    /** Observations counted into cumulative buckets, with their sum and count. */
    public static final class Histogram extends Family {
        private final double[] bounds;
        private final Map<List<String>, Series> series = new ConcurrentSkipListMap<>(MetricRegistry::compare);

        private static final class Series {
            final DoubleAdder[] buckets;
            final DoubleAdder sum = new DoubleAdder();
            final DoubleAdder count = new DoubleAdder();

            Series(int n) {
                buckets = new DoubleAdder[n];
                for (int i = 0; i < n; i++) {
                    buckets[i] = new DoubleAdder();
                }
            }
        }

        Histogram(String name, String help, double[] bounds, String... labelNames) {
            super(name, help, "histogram", labelNames);
            this.bounds = bounds.clone();
        }

        public void observe(double value, String... labels) {
            checkLabels(labels);
            Series s = series.computeIfAbsent(List.of(labels), k -> new Series(bounds.length));
            for (int i = 0; i < bounds.length; i++) {
                if (value <= bounds[i]) {
                    s.buckets[i].add(1);
                }
            }
            s.sum.add(value);
            s.count.add(1);
        }

        public double count(String... labels) {
            Series s = series.get(List.of(labels));
            return s == null ? 0 : s.count.sum();
        }

        @Override
        void samples(StringBuilder out) {
            series.forEach((labels, s) -> {
                for (int i = 0; i < bounds.length; i++) {
                    line(out, name + "_bucket", labels(labels, "le", format(bounds[i])), s.buckets[i].sum());
                }
                line(out, name + "_bucket", labels(labels, "le", "+Inf"), s.count.sum());
                line(out, name + "_sum", labels(labels, null, null), s.sum.sum());
                line(out, name + "_count", labels(labels, null, null), s.count.sum());
            });
        }
    }

    public synchronized Counter counter(String name, String help, String... labelNames) {
        return register(new Counter(name, help, labelNames));
    }

    public synchronized Gauge gauge(String name, String help, Consumer<Gauge.Sink> reader, String... labelNames) {
        return register(new Gauge(name, help, reader, labelNames));
    }

    public synchronized Histogram histogram(String name, String help, double[] bounds, String... labelNames) {
        return register(new Histogram(name, help, bounds, labelNames));
    }

    private <F extends Family> F register(F family) {
        if (families.stream().anyMatch(f -> f.name.equals(family.name))) {
            throw new IllegalArgumentException("metric " + family.name + " is registered twice");
        }
        families.add(family);
        return family;
    }

    /** Every metric in the text exposition format. */
    public synchronized String scrape() {
        StringBuilder out = new StringBuilder(4096);
        for (Family f : families) {
            out.append("# HELP ").append(f.name).append(' ').append(f.help).append('\n');
            out.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            f.samples(out);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String name, String labels, double value) {
        out.append(name).append(labels).append(' ').append(format(value)).append('\n');
    }

    private static String format(double v) {
        if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static int compare(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }
}
