package dev.slm.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Draws a report as an SVG file with two panels on logarithmic tokens/s axes: against the thread
 * count (one line per model, engine and test) and against model size (one line per engine and test,
 * each model at its best thread count). Plain SVG text: no plotting library needed.
 */
public final class SvgChart {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
        "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
    private static final int PANEL_W = 460;
    private static final int PANEL_H = 330;
    private static final int LEFT = 70;
    private static final int TOP = 40;
    private static final int PLOT_W = 360;
    private static final int PLOT_H = 230;

    private record Point(double x, double y) {
    }

    private record Series(String label, String color, boolean dashed, List<Point> points) {
    }

    private SvgChart() {
    }

    public static void write(BenchReport report, Path file) {
        TextFile.write(file, render(report));
    }

    static String render(BenchReport report) {
        List<Series> byThreads = new ArrayList<>();
        Map<String, String> colors = new LinkedHashMap<>();
        Map<String, List<RunResult>> runs = new LinkedHashMap<>();
        for (RunResult r : report.results()) {
            runs.computeIfAbsent(r.model().file() + " (" + r.engine().label() + ")", k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<RunResult>> e : runs.entrySet()) {
            String color = colors.computeIfAbsent(e.getKey(), k -> COLORS[colors.size() % COLORS.length]);
            addSeries(byThreads, e.getKey(), color, e.getValue(), RunResult::prompt, r -> (double) r.threads());
            addSeries(byThreads, e.getKey(), color, e.getValue(), RunResult::generation, r -> (double) r.threads());
        }
        List<Series> bySize = new ArrayList<>();
        Map<String, List<RunResult>> best = new LinkedHashMap<>();
        for (RunResult r : report.results()) {
            best.computeIfAbsent(r.engine().label(), k -> new ArrayList<>()).add(r);
        }
        int engineIndex = 0;
        for (Map.Entry<String, List<RunResult>> e : best.entrySet()) {
            String color = COLORS[engineIndex++ % COLORS.length];
            for (boolean prompt : new boolean[] {true, false}) {
                Function<RunResult, TestResult> test = prompt ? RunResult::prompt : RunResult::generation;
                Map<String, Point> perModel = new LinkedHashMap<>();
                for (RunResult r : e.getValue()) {
                    TestResult t = test.apply(r);
                    if (t == null) {
                        continue;
                    }
                    Point p = new Point(r.model().parameters(), t.tokensPerSecond().median());
                    perModel.merge(r.model().file(), p, (a, b) -> a.y >= b.y ? a : b);
                }
                if (!perModel.isEmpty()) {
                    List<Point> points = new ArrayList<>(perModel.values());
                    points.sort(Comparator.comparingDouble(Point::x));
                    String name = testName(report, prompt);
                    bySize.add(new Series(e.getKey() + " " + name, color, prompt, points));
                }
            }
        }
        StringBuilder svg = new StringBuilder();
        int height = PANEL_H + 20 + 16 * Math.max(byThreads.size(), bySize.size());
        svg.append(format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n",
                2 * PANEL_W, height));
        svg.append(format("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", 2 * PANEL_W, height));
        TreeSet<Double> threadTicks = new TreeSet<>();
        report.results().forEach(r -> threadTicks.add((double) r.threads()));
        panel(svg, 0, "tokens/s against threads", "threads", byThreads, false, threadTicks);
        panel(svg, PANEL_W, "tokens/s against model size (best thread count)", "parameters", bySize, true, null);
        svg.append(format("<text x=\"10\" y=\"%d\" fill=\"#555\">%s; dashed: prompt processing, solid: generation. %s</text>\n",
                height - 6, escape(report.machine().cpu() + ", " + report.machine().logicalCpus() + " CPUs"),
                escape(report.software())));
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String testName(BenchReport report, boolean prompt) {
        return prompt ? "pp" + report.settings().promptTokens() : "tg" + report.settings().generatedTokens();
    }

    private static void addSeries(List<Series> out, String label, String color, List<RunResult> runs,
                                  Function<RunResult, TestResult> test, Function<RunResult, Double> x) {
        List<Point> points = new ArrayList<>();
        String name = null;
        for (RunResult r : runs) {
            TestResult t = test.apply(r);
            if (t != null) {
                points.add(new Point(x.apply(r), t.tokensPerSecond().median()));
                name = t.name();
            }
        }
        if (!points.isEmpty()) {
            points.sort(Comparator.comparingDouble(Point::x));
            out.add(new Series(label + " " + name, color, name.startsWith("pp"), points));
        }
    }

    private static void panel(StringBuilder svg, int x0, String title, String xLabel, List<Series> series,
                              boolean logX, TreeSet<Double> xTicks) {
        double minX = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, minY = Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (Series s : series) {
            for (Point p : s.points) {
                minX = Math.min(minX, p.x);
                maxX = Math.max(maxX, p.x);
                if (p.y > 0) {
                    minY = Math.min(minY, p.y);
                    maxY = Math.max(maxY, p.y);
                }
            }
        }
        svg.append(format("<text x=\"%d\" y=\"20\" font-size=\"13\" font-weight=\"bold\">%s</text>\n", x0 + LEFT, escape(title)));
        int px = x0 + LEFT;
        svg.append(format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n", px, TOP, PLOT_W, PLOT_H));
        if (series.isEmpty() || maxY <= 0) {
            return;
        }
        double loY = Math.floor(Math.log10(minY));
        double hiY = Math.max(loY + 1, Math.ceil(Math.log10(maxY)));
        Function<Double, Double> xs;
        if (logX) {
            double lo = Math.floor(Math.log10(minX));
            double hi = Math.max(lo + 1, Math.ceil(Math.log10(maxX)));
            xs = v -> px + (Math.log10(v) - lo) / (hi - lo) * PLOT_W;
            for (double d = lo; d <= hi; d++) {
                tickX(svg, xs.apply(Math.pow(10, d)), si(Math.pow(10, d)));
            }
        } else {
            double lo = minX;
            double hi = maxX > minX ? maxX : minX + 1;
            xs = v -> px + 20 + (v - lo) / (hi - lo) * (PLOT_W - 40);
            for (double t : xTicks) {
                tickX(svg, xs.apply(t), format("%.0f", t));
            }
        }
        Function<Double, Double> ys = v -> TOP + PLOT_H - (Math.log10(v) - loY) / (hiY - loY) * PLOT_H;
        for (double d = loY; d <= hiY; d++) {
            double y = ys.apply(Math.pow(10, d));
            svg.append(format("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>\n", px, y, px + PLOT_W, y));
            svg.append(format("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", px - 5, y + 4, si(Math.pow(10, d))));
        }
        svg.append(format("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", px + PLOT_W / 2, TOP + PLOT_H + 32, xLabel));
        svg.append(format("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 %d %d)\">tokens/s (log)</text>\n",
                x0 + 18, TOP + PLOT_H / 2, x0 + 18, TOP + PLOT_H / 2));
        int legendY = TOP + PLOT_H + 50;
        for (Series s : series) {
            StringBuilder path = new StringBuilder();
            for (Point p : s.points) {
                if (p.y <= 0) {
                    continue;
                }
                double x = xs.apply(p.x);
                double y = ys.apply(p.y);
                path.append(path.isEmpty() ? "M" : " L").append(format("%.1f %.1f", x, y));
                svg.append(format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x, y, s.color));
            }
            svg.append(format("<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s/>\n", path, s.color,
                    s.dashed ? " stroke-dasharray=\"5 3\"" : ""));
            svg.append(format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\"%s/>\n",
                    px, legendY - 4, px + 24, legendY - 4, s.color, s.dashed ? " stroke-dasharray=\"5 3\"" : ""));
            svg.append(format("<text x=\"%d\" y=\"%d\">%s</text>\n", px + 30, legendY, escape(s.label)));
            legendY += 16;
        }
    }

    private static void tickX(StringBuilder svg, double x, String label) {
        svg.append(format("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>\n", x, TOP, x, TOP + PLOT_H));
        svg.append(format("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, TOP + PLOT_H + 15, label));
    }

    /** 1, 10, 100, 1k, 10k, 1M, 1G. */
    static String si(double v) {
        String[] units = {"", "k", "M", "G", "T"};
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return (v == Math.rint(v) ? format("%.0f", v) : format("%.1f", v)) + units[u];
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
