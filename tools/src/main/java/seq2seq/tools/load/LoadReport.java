package seq2seq.tools.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report of {@code bench --load}: the machine and the run's settings, each variant's maximum sustainable
 * throughput and one table row per offered rate, side by side for several variants, a JSON summary and the chart
 * ({@link LoadChart}).
 */
public final class LoadReport {
    public static final String MARKDOWN = "load-report.md";
    public static final String JSON = "load-report.json";
    public static final String CHART = "load-chart.png";
    /** the percentiles of the tables and the chart */
    public static final double[] PERCENTILES = {50, 90, 99, 99.9};

    /** the machine and the run's settings, in order */
    public final Map<String, String> facts = new LinkedHashMap<>();
    public final List<VariantResult> variants;
    /** the maximum sustainable throughput the rates are fractions of (the first variant's) */
    public final double baseThroughput;
    /** a line under the title, e.g. that this is a smoke run */
    public String note = "";

    public LoadReport(List<VariantResult> variants, double baseThroughput) {
        this.variants = List.copyOf(variants);
        this.baseThroughput = baseThroughput;
    }

    public String markdown() {
        StringBuilder md = new StringBuilder("# Real time under load (`bench --load`)\n\n");
        if (!note.isBlank()) {
            md.append(note.strip()).append("\n\n");
        }
        facts.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append('\n');
        md.append("Open loop: each rate's send times are drawn up front (Poisson arrivals, seeded) and never wait for answers; "
                + "a record's timestamp and `created_at` are its scheduled send time, and its latency runs from there to the "
                + "moment a read_committed consumer reads its translation (or dead letter), so a sender that falls behind "
                + "adds to the latency rather than lowering the offered rate. Offered: requests scheduled in the measured "
                + "window over its length. Achieved: answers read in that window over its length. Sender lateness: actual "
                + "minus scheduled send time, every request of the rate. Batches: the engine batches run during the rate "
                + "(warm-up, window and drain; an in-process instance's only), their mean compute time and segments.\n\n");
        md.append("| variant | configuration | max sustainable throughput |\n| --- | --- | ---: |\n");
        for (VariantResult v : variants) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1f requests/s |%n", v.name(),
                    v.overrides().isEmpty() ? "the pipeline's own" : "`" + v.variant().spec() + "`", v.maxThroughput()));
        }
        md.append(String.format(Locale.ROOT, "%nRates are fractions of %.1f requests/s (the first variant's), the same "
                + "for every variant, each with the same seeded schedule.%n", baseThroughput));
        for (VariantResult v : variants) {
            md.append("\n## ").append(v.name()).append("\n\n");
            md.append("| rate (of max) | offered /s | achieved /s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | answered | sender late p99 / max ms | batch ms / segments (mean) |\n");
            md.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (StepResult s : v.steps()) {
                md.append(String.format(Locale.ROOT, "| %.1f (%.0f %%) | %.1f | %.1f | %s | %s | %s | %s | %s | %d / %d%s | %s / %s | %s / %s |%n",
                        s.targetRate(), 100 * s.fraction(), s.offered(), s.achieved(),
                        ms(s.latencyMs(50)), ms(s.latencyMs(90)), ms(s.latencyMs(99)), ms(s.latencyMs(99.9)), ms(s.maxLatencyMs()),
                        s.answered(), s.measured(), s.failed() > 0 ? " (" + s.failed() + " dead letters)" : "",
                        ms(s.latenessMs(99)), ms(s.maxLatenessMs()), ms(s.meanBatchMs()), ms(s.meanBatchSegments())));
            }
            long errors = v.steps().stream().mapToLong(StepResult::sendErrors).sum();
            long missing = v.steps().stream().mapToLong(StepResult::unanswered).sum();
            if (errors > 0 || missing > 0) {
                md.append(String.format(Locale.ROOT, "%n%d requests not written by the producer, %d measured requests "
                        + "not answered before the drain's deadline (their latency is missing from the percentiles).%n", errors, missing));
            }
        }
        md.append(sweepSummary());
        md.append("\n![latency percentiles and throughput against the offered rate](").append(CHART).append(")\n");
        return md.toString();
    }

    /** Each variant's sweeps by name, in the order they first ran; empty when every variant ran once. */
    Map<String, List<VariantResult>> sweepsByVariant() {
        Map<String, List<VariantResult>> by = new LinkedHashMap<>();
        for (VariantResult v : variants) {
            by.computeIfAbsent(v.variant().name(), k -> new ArrayList<>()).add(v);
        }
        return by.values().stream().allMatch(l -> l.size() == 1) ? Map.of() : by;
    }

    /** With several sweeps of a variant: medians and ranges over them, per variant and rate. */
    private String sweepSummary() {
        Map<String, List<VariantResult>> by = sweepsByVariant();
        if (by.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("\n## Each variant over its sweeps\n\nMedians, the range over the sweeps in brackets.\n\n");
        md.append("| variant | sweeps | max sustainable throughput /s | rate (of max) | p50 ms | p99 ms |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
        by.forEach((name, sweeps) -> {
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | | | |%n", name, sweeps.size(), spread(maxima(sweeps), "%.1f")));
            for (int i = 0; i < commonRates(sweeps); i++) {
                StepResult first = sweeps.get(0).steps().get(i);
                md.append(String.format(Locale.ROOT, "| | | | %.1f (%.0f %%) | %s | %s |%n", first.targetRate(),
                        100 * first.fraction(), spread(latencies(sweeps, i, 50), "%.0f"), spread(latencies(sweeps, i, 99), "%.0f")));
            }
        });
        return md.toString();
    }

    private static double[] maxima(List<VariantResult> sweeps) {
        return sweeps.stream().mapToDouble(VariantResult::maxThroughput).toArray();
    }

    /** the rates every sweep reached (a sweep cut short has fewer) */
    private static int commonRates(List<VariantResult> sweeps) {
        return sweeps.stream().mapToInt(v -> v.steps().size()).min().orElse(0);
    }

    /** each sweep's latency percentile at its {@code step}-th rate, ms */
    private static double[] latencies(List<VariantResult> sweeps, int step, double percentile) {
        return sweeps.stream().mapToDouble(v -> v.steps().get(step).latencyMs(percentile)).toArray();
    }

    /** "median (min–max)" */
    private static String spread(double[] values, String format) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return String.format(Locale.ROOT, format + " (" + format + "–" + format + ")", median(v), v[0], v[v.length - 1]);
    }

    /** The median of {@code values} (NaN for none). */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The summary {@code --json} prints: the maximum sustainable throughput and, per rate, offered, achieved, p50, p99. */
    public ObjectNode json() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("maxSustainableThroughput", round(baseThroughput));
        ArrayNode vs = root.putArray("variants");
        for (VariantResult v : variants) {
            ObjectNode vn = vs.addObject();
            vn.put("name", v.variant().name());
            vn.put("sweep", v.variant().sweep());
            ObjectNode o = vn.putObject("overrides");
            v.overrides().forEach(o::put);
            vn.put("maxSustainableThroughput", round(v.maxThroughput()));
            ArrayNode rates = vn.putArray("rates");
            for (StepResult s : v.steps()) {
                ObjectNode r = rates.addObject();
                r.put("target", round(s.targetRate()));
                r.put("offered", round(s.offered()));
                r.put("achieved", round(s.achieved()));
                r.put("p50Ms", round(s.latencyMs(50)));
                r.put("p99Ms", round(s.latencyMs(99)));
                r.put("p999Ms", round(s.latencyMs(99.9)));
                r.put("answered", s.answered());
                r.put("measured", s.measured());
                r.put("senderLateMaxMs", round(s.maxLatenessMs()));
                r.put("meanBatchMs", round(s.meanBatchMs()));
                r.put("meanBatchSegments", round(s.meanBatchSegments()));
            }
        }
        Map<String, List<VariantResult>> by = sweepsByVariant();
        if (!by.isEmpty()) {
            ArrayNode summary = root.putArray("overSweeps");
            by.forEach((name, sweeps) -> {
                ObjectNode sn = summary.addObject();
                sn.put("name", name);
                sn.put("sweeps", sweeps.size());
                sn.put("maxSustainableThroughputMedian", round(median(maxima(sweeps))));
                ArrayNode rates = sn.putArray("rates");
                for (int i = 0; i < commonRates(sweeps); i++) {
                    ObjectNode r = rates.addObject();
                    r.put("target", round(sweeps.get(0).steps().get(i).targetRate()));
                    r.put("p50MsMedian", round(median(latencies(sweeps, i, 50))));
                    r.put("p99MsMedian", round(median(latencies(sweeps, i, 99))));
                }
            });
        }
        return root;
    }

    public String jsonText() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json()) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the Markdown, the JSON and the chart to {@code dir}. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(MARKDOWN), markdown());
        Files.writeString(dir.resolve(JSON), jsonText());
        LoadChart.write(this, dir.resolve(CHART));
    }

    static String ms(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        return String.format(Locale.ROOT, v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v);
    }

    private static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 1000) / 1000.0;
    }
}
