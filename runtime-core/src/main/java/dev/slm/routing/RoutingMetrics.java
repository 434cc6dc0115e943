package dev.slm.routing;

import dev.slm.routing.local.LocalFailureException;
import dev.slm.openai.TokenUsage;
import dev.slm.routing.upstream.UpstreamException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Counts where requests were answered, the tokens they used and the money that saved, in the
 * Prometheus text format a server appends to its {@code /metrics}. Thread-safe.
 *
 * <p>Costs are estimates from the prices configured on each upstream: what escalated answers cost,
 * and what local answers would have cost at the route's upstream ("saved").
 */
public final class RoutingMetrics {
    private static final Map<String, String> HELP = new LinkedHashMap<>();

    static {
        define("slm_routing_requests_total", "Requests answered, by route and by where: local or an upstream.");
        define("slm_routing_tokens_total", "Tokens of answered requests (prompt and completion), by where they were answered.");
        define("slm_routing_upstream_cost_total", "Estimated cost of the escalated requests, at the upstream's configured prices.");
        define("slm_routing_cost_saved_total", "Estimated cost the local answers saved: their tokens at the route's upstream prices.");
        define("slm_routing_fallbacks_total", "Escalated requests answered locally because the upstream failed.");
        define("slm_routing_upstream_failures_total", "Failed upstream requests, by upstream and kind of failure.");
        define("slm_routing_local_failures_total", "Requests the local model could not answer, by route and kind of failure.");
    }

    private static void define(String name, String help) {
        HELP.put(name, help);
    }

    private final ConcurrentMap<Sample, DoubleAdder> samples = new ConcurrentHashMap<>();

    /** One time series: a metric and its label pairs (empty values are left out). */
    private record Sample(String metric, List<String> labels) {
        String labelText() {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < labels.size(); i += 2) {
                if (labels.get(i + 1).isEmpty()) {
                    continue;
                }
                text.append(text.isEmpty() ? "{" : ",").append(labels.get(i)).append("=\"")
                        .append(escape(labels.get(i + 1))).append('"');
            }
            return text.isEmpty() ? "" : text.append('}').toString();
        }
    }

    private void add(double amount, String metric, String... labels) {
        samples.computeIfAbsent(new Sample(metric, List.of(labels)), s -> new DoubleAdder()).add(amount);
    }

    /** An answered request: where, its tokens, what it cost upstream and what answering it locally saved. */
    public void answered(RouteDecision decision, TokenUsage usage, double upstreamCost, double costSaved) {
        String target = decision.isLocal() ? "local" : "upstream";
        String upstream = decision.isLocal() ? "" : decision.upstream();
        add(1, "slm_routing_requests_total", "route", decision.route(), "target", target, "upstream", upstream);
        add(usage.promptTokens(), "slm_routing_tokens_total", "route", decision.route(), "target", target,
                "upstream", upstream, "type", "prompt");
        add(usage.completionTokens(), "slm_routing_tokens_total", "route", decision.route(), "target", target,
                "upstream", upstream, "type", "completion");
        if (!decision.isLocal()) {
            add(upstreamCost, "slm_routing_upstream_cost_total", "route", decision.route(), "upstream", upstream);
        } else if (costSaved > 0) {
            add(costSaved, "slm_routing_cost_saved_total", "route", decision.route());
        }
    }

    public void fallback(String route, String upstream) {
        add(1, "slm_routing_fallbacks_total", "route", route, "upstream", upstream);
    }

    public void upstreamFailure(String upstream, UpstreamException.Kind kind) {
        add(1, "slm_routing_upstream_failures_total", "upstream", upstream, "kind", kind.metricName());
    }

    public void localFailure(String route, LocalFailureException.Kind kind) {
        add(1, "slm_routing_local_failures_total", "route", route, "kind", kind.configName());
    }

    /** The current value of one series, e.g. {@code value("slm_routing_requests_total", "route", "chat", "target", "local")}. */
    public double value(String metric, String... labels) {
        DoubleAdder adder = samples.get(new Sample(metric, List.of(labels)));
        return adder == null ? 0 : adder.sum();
    }

    /** Every metric with its HELP and TYPE lines, series sorted, ready to append to a /metrics page. */
    public String prometheusText() {
        StringBuilder text = new StringBuilder();
        HELP.forEach((name, help) -> {
            text.append("# HELP ").append(name).append(' ').append(help).append('\n');
            text.append("# TYPE ").append(name).append(" counter\n");
            samples.entrySet().stream()
                    .filter(e -> e.getKey().metric().equals(name))
                    .map(e -> name + e.getKey().labelText() + " " + format(e.getValue().sum()))
                    .sorted()
                    .forEach(line -> text.append(line).append('\n'));
        });
        return text.toString();
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
                : BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
