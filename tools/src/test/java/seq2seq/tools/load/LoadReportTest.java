package seq2seq.tools.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadReportTest {

    /** latencies 1, 2, ..., 1000 ms */
    private static Histogram oneToThousandMs() {
        Histogram h = new Histogram(3_600_000_000L, 3);
        for (int ms = 1; ms <= 1000; ms++) {
            h.recordValue(ms * 1000L);
        }
        return h;
    }

    private static Histogram lateness(long... micros) {
        Histogram h = new Histogram(3_600_000_000L, 3);
        for (long m : micros) {
            h.recordValue(m);
        }
        return h;
    }

    private static StepResult step(double rate, double fraction, Histogram latency) {
        return new StepResult(rate, fraction, rate * 0.98, rate * 0.97, 1000, 1000, 0, latency, lateness(10, 20, 4000), 0, 80, 12.5);
    }

    @Test
    void percentilesOfAKnownHistogram() {
        StepResult s = step(50, 0.5, oneToThousandMs());
        // HdrHistogram at 3 significant digits: within 0.1 % of the exact order statistic
        assertEquals(500, s.latencyMs(50), 0.5);
        assertEquals(900, s.latencyMs(90), 0.9);
        assertEquals(990, s.latencyMs(99), 1.0);
        assertEquals(999, s.latencyMs(99.9), 1.0);
        assertEquals(1000, s.maxLatencyMs(), 1.0);
        assertEquals(4.0, s.maxLatenessMs(), 0.01);
        assertTrue(Double.isNaN(step(1, 0.1, new Histogram(3_600_000_000L, 3)).latencyMs(50)), "no values: NaN, not 0");
    }

    @Test
    void theReportHasOneRowPerRateAndVariantAndTheChart(@TempDir Path dir) throws Exception {
        Histogram h = oneToThousandMs();
        Histogram faster = new Histogram(3_600_000_000L, 3);
        for (int ms = 1; ms <= 100; ms++) {
            faster.recordValue(ms * 1000L);
        }
        VariantResult fixed = new VariantResult(Variant.parse("fixed"), 100, List.of(step(10, 0.1, faster), step(110, 1.1, h)));
        VariantResult adaptive = new VariantResult(Variant.parse("adaptive:batch.linger.ms=5,batch.size=16"), 120,
                List.of(step(10, 0.1, faster), step(110, 1.1, faster)));
        LoadReport report = new LoadReport(List.of(fixed, adaptive), 100);
        report.facts.put("machine", "test");
        report.write(dir);
        String md = Files.readString(dir.resolve(LoadReport.MARKDOWN));
        assertTrue(md.contains("| 110.0 (110 %) | 107.8 | 106.7 | 500 | 900 | 990 | 999 | 1000 | 1000 / 1000 | 4.00 / 4.00 | 80.0 / 12.5 |"), md);
        assertTrue(md.contains("| adaptive | `adaptive:batch.linger.ms=5,batch.size=16` | 120.0 requests/s |"), md);
        assertTrue(md.contains("## fixed") && md.contains("## adaptive"), md);
        assertTrue(md.contains("- machine: test"), md);
        byte[] png = Files.readAllBytes(dir.resolve(LoadReport.CHART));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
        JsonNode json = new ObjectMapper().readTree(dir.resolve(LoadReport.JSON).toFile());
        assertEquals(100.0, json.get("maxSustainableThroughput").asDouble());
        JsonNode r = json.get("variants").get(0).get("rates").get(1);
        assertEquals(110.0, r.get("target").asDouble());
        assertEquals(107.8, r.get("offered").asDouble(), 1e-9);
        assertEquals(500, r.get("p50Ms").asDouble(), 0.5);
        assertEquals(990, r.get("p99Ms").asDouble(), 1.0);
        assertEquals(80, r.get("meanBatchMs").asDouble(), 1e-9);
        assertEquals("5", json.get("variants").get(1).get("overrides").get("batch.linger.ms").asText());
    }

    @Test
    void variantsParse() {
        assertEquals(new Variant("fixed", Map.of()), Variant.parse("fixed"));
        Variant v = Variant.parse("small:batch.size=8, batch.linger.ms=2");
        assertEquals(Map.of("batch.size", "8", "batch.linger.ms", "2"), v.overrides());
        assertEquals("small:batch.linger.ms=2,batch.size=8", v.spec());
        assertThrows(IllegalArgumentException.class, () -> Variant.parse("bad name"));
        assertThrows(IllegalArgumentException.class, () -> Variant.parse("x:batch.size"));
    }

    @Test
    void backlogThroughputRunsFromTheFirstSendToTheLastAnswer() {
        long[] t = new long[100];
        for (int i = 0; i < t.length; i++) {
            t[i] = 1_000_000_000L + (i / 10) * 100_000_000L; // answers readable ten at a time (one commit each)
        }
        // 100 answers, the last at 1.9 s, the first send at 0.4 s
        assertEquals(100 / 1.5, LoadBench.throughput(400_000_000L, t), 1e-9);
        long[] oneCommit = new long[100];
        java.util.Arrays.fill(oneCommit, 2_000_000_000L);
        assertEquals(100.0, LoadBench.throughput(1_000_000_000L, oneCommit), 1e-9, "a backlog answered in one poll still has a rate");
        assertTrue(Double.isNaN(LoadBench.throughput(0, new long[0])));
    }

    /** latencies 1, 2, ..., top ms */
    private static Histogram oneTo(int top) {
        Histogram h = new Histogram(3_600_000_000L, 3);
        for (int ms = 1; ms <= top; ms++) {
            h.recordValue(ms * 1000L);
        }
        return h;
    }

    @Test
    void sweepsInTurnsAreSummedUpAsMediansAndRanges() {
        List<Variant> turns = Variant.inTurns(List.of(Variant.parse("fixed"), Variant.parse("t:batch.latency.target.ms=250")), 3);
        assertEquals(List.of("fixed", "t", "fixed #2", "t #2", "fixed #3", "t #3"), turns.stream().map(Variant::label).toList());
        assertEquals(Map.of("batch.latency.target.ms", "250"), turns.get(5).overrides());
        assertThrows(IllegalArgumentException.class, () -> Variant.inTurns(turns, 0));
        int[] fixedP99Tops = {300, 800, 500};
        double[] fixedMax = {112, 163, 121};
        java.util.List<VariantResult> results = new java.util.ArrayList<>();
        for (int i = 0; i < turns.size(); i++) {
            Variant v = turns.get(i);
            int top = v.name().equals("fixed") ? fixedP99Tops[v.sweep() - 1] : 400;
            double max = v.name().equals("fixed") ? fixedMax[v.sweep() - 1] : 140;
            results.add(new VariantResult(v, max, List.of(step(50, 0.5, oneTo(top)))));
        }
        LoadReport report = new LoadReport(results, 112);
        String md = report.markdown();
        assertTrue(md.contains("## fixed #2") && md.contains("## t #3"), md);
        // fixed: maxima 112, 121, 163; p99 of 1..top ms is 0.99·top: 297, 495, 792
        assertTrue(md.contains("| fixed | 3 | 121.0 (112.0–163.0) | | | |"), md);
        assertTrue(md.matches("(?s).*\\| \\| \\| \\| 50\\.0 \\(50 %\\) \\| 250 \\(150–400\\) \\| 495 \\(297–792\\) \\|.*"), md);
        assertTrue(md.contains("| t | 3 | 140.0 (140.0–140.0) | | | |"), md);
        JsonNode over = report.json().get("overSweeps");
        assertEquals("fixed", over.get(0).get("name").asText());
        assertEquals(3, over.get(0).get("sweeps").asInt());
        assertEquals(121.0, over.get(0).get("maxSustainableThroughputMedian").asDouble(), 1e-9);
        assertEquals(495, over.get(0).get("rates").get(0).get("p99MsMedian").asDouble(), 1.0);
        assertTrue(new LoadReport(results.subList(0, 2), 112).json().get("overSweeps") == null, "one sweep each: no summary");
    }
}
