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
}
