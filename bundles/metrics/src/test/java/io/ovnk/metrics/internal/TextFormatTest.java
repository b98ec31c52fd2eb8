package io.ovnk.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ovnk.metrics.Counter;
import io.ovnk.metrics.Gauge;
import io.ovnk.metrics.Histogram;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextFormatTest {

    @Test
    void labelValuesEscapeBackslashQuoteAndLineFeed() {
        Counter counter = Counter.of("ovnk_test_total", "test", "pod");
        counter.inc("a\\b\"c\nd");
        assertEquals("""
                # HELP ovnk_test_total test
                # TYPE ovnk_test_total counter
                ovnk_test_total{pod="a\\\\b\\"c\\nd"} 1
                """, TextFormat.write(List.of(counter.collect())));
    }

    @Test
    void helpEscapesBackslashAndLineFeedButNotQuotes() {
        Gauge gauge = Gauge.of("ovnk_g", "line one\nsays \"x\" \\ y");
        assertEquals("""
                # HELP ovnk_g line one\\nsays "x" \\\\ y
                # TYPE ovnk_g gauge
                ovnk_g 0
                """, TextFormat.write(List.of(gauge.collect())));
    }

    @Test
    void histogramListsCumulativeBucketsInfSumAndCount() {
        Histogram histogram = Histogram.of("ovnk_cni_request_duration_seconds", "CNI requests", List.of(0.01, 0.1),
                "command", "result");
        histogram.observe(0.005, "ADD", "ok");
        histogram.observe(0.05, "ADD", "ok");
        histogram.observe(0.25, "ADD", "ok");
        histogram.observe(0.5, "DEL", "error");
        assertEquals("""
                # HELP ovnk_cni_request_duration_seconds CNI requests
                # TYPE ovnk_cni_request_duration_seconds histogram
                ovnk_cni_request_duration_seconds_bucket{command="ADD",result="ok",le="0.01"} 1
                ovnk_cni_request_duration_seconds_bucket{command="ADD",result="ok",le="0.1"} 2
                ovnk_cni_request_duration_seconds_bucket{command="ADD",result="ok",le="+Inf"} 3
                ovnk_cni_request_duration_seconds_sum{command="ADD",result="ok"} 0.305
                ovnk_cni_request_duration_seconds_count{command="ADD",result="ok"} 3
                ovnk_cni_request_duration_seconds_bucket{command="DEL",result="error",le="0.01"} 0
                ovnk_cni_request_duration_seconds_bucket{command="DEL",result="error",le="0.1"} 0
                ovnk_cni_request_duration_seconds_bucket{command="DEL",result="error",le="+Inf"} 1
                ovnk_cni_request_duration_seconds_sum{command="DEL",result="error"} 0.5
                ovnk_cni_request_duration_seconds_count{command="DEL",result="error"} 1
                """, TextFormat.write(List.of(histogram.collect())));
    }

    @Test
    void valuesAreWrittenAsPrometheusParsesThem() {
        assertEquals("3", TextFormat.value(3.0));
        assertEquals("-2", TextFormat.value(-2.0));
        assertEquals("0.25", TextFormat.value(0.25));
        assertEquals("+Inf", TextFormat.value(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", TextFormat.value(Double.NEGATIVE_INFINITY));
        assertEquals("NaN", TextFormat.value(Double.NaN));
        assertEquals("1.0E20", TextFormat.value(1e20));
    }
}
