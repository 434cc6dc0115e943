package dev.slm.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MetricRegistryTest {

    @Test
    void writesThePrometheusTextFormat() {
        MetricRegistry r = new MetricRegistry();
        MetricRegistry.Counter c = r.counter("requests_total", "Requests.", "path");
        c.inc("/a");
        c.add(2, "/a");
        c.inc("say \"hi\"\n");
        r.gauge("depth", "Queue depth.", sink -> sink.sample(3));
        MetricRegistry.Histogram h = r.histogram("latency_seconds", "Latency.", new double[] {0.1, 1});
        h.observe(0.25);
        h.observe(0.5);
        assertEquals("""
                # HELP requests_total Requests.
                # TYPE requests_total counter
                requests_total{path="/a"} 3
                requests_total{path="say \\"hi\\"\\n"} 1
                # HELP depth Queue depth.
                # TYPE depth gauge
                depth 3
                # HELP latency_seconds Latency.
                # TYPE latency_seconds histogram
                latency_seconds_bucket{le="0.1"} 0
                latency_seconds_bucket{le="1"} 2
                latency_seconds_bucket{le="+Inf"} 2
                latency_seconds_sum 0.75
                latency_seconds_count 2
                """, r.scrape());
    }
}
