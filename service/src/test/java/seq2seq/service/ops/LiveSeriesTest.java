package seq2seq.service.ops;

import org.junit.jupiter.api.Test;
import seq2seq.generation.ModelInfo;

import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The status page's chart: points from the differences of two readings, percentiles from bucket differences, the ring. */
class LiveSeriesTest {
    /** a reading whose histogram has buckets up to 10, 20, 50 and 100 ms with these cumulative counts */
    private static LiveSeries.Reading reading(long atMillis, long translations, long le10, long le20, long le50, long le100,
                                              long all) {
        NavigableMap<Double, Long> buckets = new TreeMap<>();
        buckets.put(10.0, le10);
        buckets.put(20.0, le20);
        buckets.put(50.0, le50);
        buckets.put(100.0, le100);
        return new LiveSeries.Reading(atMillis, translations, buckets, all);
    }

    @Test
    void percentilesInterpolateWithinTheBucketOfTheDifference() {
        LiveSeries.Reading zero = reading(0, 0, 0, 0, 0, 0, 0);
        // 10 up to 10 ms, 20 in (10, 20], 60 in (20, 50], 10 in (50, 100]
        LiveSeries.Reading after = reading(5_000, 100, 10, 30, 90, 100, 100);
        // p50: rank 50 lies in (20, 50], 20 of its 60 in: 20 + 30 · 20/60 = 30
        assertEquals(30.0, LiveSeries.quantile(0.5, zero, after), 1e-9);
        // p99: rank 99 lies in (50, 100], 9 of its 10 in: 50 + 50 · 9/10 = 95
        assertEquals(95.0, LiveSeries.quantile(0.99, zero, after), 1e-9);
        // p05: rank 5 in the first bucket, whose lower edge is 0
        assertEquals(5.0, LiveSeries.quantile(0.05, zero, after), 1e-9);
        assertNull(LiveSeries.quantile(0.5, after, after), "nothing recorded in between");
        // beyond the last bucket: its bound is all a histogram can say
        LiveSeries.Reading slow = reading(10_000, 110, 10, 30, 90, 100, 110);
        assertEquals(100.0, LiveSeries.quantile(0.5, after, slow), 1e-9);
    }

    @Test
    void eachPointHoldsOnlyItsOwnInterval() {
        LiveSeries s = new LiveSeries();
        s.add(reading(1_000, 0, 0, 0, 0, 0, 0));
        assertEquals(List.of(), s.points(), "the first reading only starts the series");
        s.add(reading(6_000, 100, 100, 100, 100, 100, 100)); // 100 fast ones in 5 s
        s.add(reading(11_000, 150, 100, 100, 100, 150, 150)); // then 50 in (50, 100] in 5 s
        List<LiveSeries.Point> points = s.points();
        assertEquals(2, points.size());
        assertEquals(new LiveSeries.Point(6_000, 20.0, 5.0, 9.9, 100), points.get(0));
        LiveSeries.Point second = points.get(1);
        assertEquals(11_000, second.epochMillis());
        assertEquals(10.0, second.perSecond(), 1e-9);
        assertEquals(75.0, second.p50Ms(), 1e-9, "the fast ones before are not in it");
        assertEquals(99.5, second.p99Ms(), 1e-9);
        assertEquals(50, second.latencies());
        s.add(reading(16_000, 150, 100, 100, 100, 150, 150));
        LiveSeries.Point idle = s.points().get(2);
        assertEquals(0.0, idle.perSecond());
        assertNull(idle.p50Ms());
    }

    @Test
    void theRingKeepsTheLastPointsOldestFirst() {
        LiveSeries s = new LiveSeries();
        for (int i = 0; i <= LiveSeries.POINTS + 5; i++) {
            s.add(reading(1_000L * i, 10L * i, 0, 0, 0, 0, 0));
        }
        List<LiveSeries.Point> points = s.points();
        assertEquals(LiveSeries.POINTS, points.size());
        assertEquals(6_000, points.get(0).epochMillis(), "the first five points are gone");
        assertEquals(1_000L * (LiveSeries.POINTS + 5), points.get(points.size() - 1).epochMillis());
        for (int i = 1; i < points.size(); i++) {
            assertEquals(points.get(i - 1).epochMillis() + 1_000, points.get(i).epochMillis());
            assertEquals(10.0, points.get(i).perSecond(), 1e-9);
        }
    }

    @Test
    void readsTheExportedLatencyHistogramsOfEveryModel() {
        try (Metrics m = new Metrics(5)) {
            m.modelLoaded(new ModelInfo("tiny", "v1", 128));
            LiveSeries s = new LiveSeries();
            s.add(LiveSeries.read(0, m.translations(), m.latencyHistograms()));
            for (int i = 1; i <= 100; i++) {
                m.translated(MetricsTest.result("a" + i, false, 10L * i, 3)); // 10 ms … 1 s
            }
            s.add(LiveSeries.read(10_000, m.translations(), m.latencyHistograms()));
            for (int i = 0; i < 100; i++) {
                m.translated(MetricsTest.result("b" + i, i % 2 == 0, 4, 3));
            }
            s.add(LiveSeries.read(20_000, m.translations(), m.latencyHistograms()));
            LiveSeries.Point first = s.points().get(0);
            assertEquals(10.0, first.perSecond(), 1e-9);
            assertEquals(100, first.latencies());
            // the histogram's buckets are a few per doubling: within one bucket of the true 500 and 990 ms
            assertTrue(first.p50Ms() > 400 && first.p50Ms() < 600, "p50 " + first.p50Ms());
            assertTrue(first.p99Ms() > 850 && first.p99Ms() < 1150, "p99 " + first.p99Ms());
            LiveSeries.Point second = s.points().get(1);
            assertEquals(100, second.latencies(), "computed and memory answers alike");
            assertTrue(second.p99Ms() <= 5, "only the second interval's 4 ms latencies: " + second.p99Ms());
        }
    }
}
