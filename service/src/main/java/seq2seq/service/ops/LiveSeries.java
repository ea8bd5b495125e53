package seq2seq.service.ops;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The status page's live chart: at each reading a point of throughput and latency percentiles over the interval since
 * the one before, the last {@value #POINTS} kept in a ring (ten minutes at the default interval). The throughput is the
 * difference of the translations counter; p50 and p99 come from the difference of the end-to-end latency histogram's
 * buckets (the histogram /metrics exports), interpolated within a bucket as Prometheus' {@code histogram_quantile}
 * does. So the page needs no quantile of its own kept in the instance, and shows what a dashboard over /metrics
 * would. Thread-safe.
 */
final class LiveSeries {
    /** points kept */
    static final int POINTS = 120;

    /**
     * The counters at one moment, all since the start.
     *
     * @param epochMillis  when they were read
     * @param translations translations forwarded
     * @param buckets      latencies up to each bucket's upper bound (ms), cumulative, as Prometheus' {@code le}
     * @param latencies    latencies recorded, those above the last bucket too
     */
    record Reading(long epochMillis, long translations, NavigableMap<Double, Long> buckets, long latencies) {
    }

    /**
     * One point of the chart: the interval that ended at {@code epochMillis}.
     *
     * @param perSecond translations forwarded per second
     * @param p50Ms     median end-to-end latency of the translations in it; null when there were none
     * @param p99Ms     99th percentile, the same way
     * @param latencies translations whose latency it holds
     */
    record Point(long epochMillis, double perSecond, Double p50Ms, Double p99Ms, long latencies) {
    }

    private final Point[] ring = new Point[POINTS];
    /** where the next point goes */
    private int next;
    /** points in the ring */
    private int size;
    /** the reading the next point is the difference from; null before the first */
    private Reading last;

    /** The counters now: the translations counter and every model's latency histogram added up by bucket. */
    static Reading read(long epochMillis, long translations, Collection<Timer> latencyHistograms) {
        NavigableMap<Double, Long> buckets = new TreeMap<>();
        long latencies = 0;
        for (Timer t : latencyHistograms) {
            HistogramSnapshot s = t.takeSnapshot();
            for (CountAtBucket c : s.histogramCounts()) {
                buckets.merge(c.bucket(TimeUnit.MILLISECONDS), (long) c.count(), Long::sum);
            }
            latencies += s.count();
        }
        return new Reading(epochMillis, translations, buckets, latencies);
    }

    /** Adds the point from the last reading to this one (the first reading only starts the series). */
    synchronized void add(Reading now) {
        Reading before = last;
        last = now;
        if (before == null || now.epochMillis() <= before.epochMillis()) {
            return;
        }
        double seconds = (now.epochMillis() - before.epochMillis()) / 1000.0;
        long latencies = now.latencies() - before.latencies();
        ring[next] = new Point(now.epochMillis(), (now.translations() - before.translations()) / seconds,
                quantile(0.5, before, now), quantile(0.99, before, now), latencies);
        next = (next + 1) % POINTS;
        size = Math.min(size + 1, POINTS);
    }

    /** the points kept, oldest first */
    synchronized List<Point> points() {
        List<Point> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(ring[Math.floorMod(next - size + i, POINTS)]);
        }
        return out;
    }

    /**
     * The {@code q} quantile (ms) of the latencies recorded between two readings, from the difference of their
     * buckets; null when none were. Linear within the bucket it falls in (the first bucket's lower edge is 0); one
     * beyond the last bucket is that bucket's bound, the most a histogram can tell.
     */
    static Double quantile(double q, Reading before, Reading after) {
        long total = after.latencies() - before.latencies();
        if (total <= 0) {
            return null;
        }
        double rank = q * total;
        double lower = 0;
        long below = 0;
        for (Map.Entry<Double, Long> b : after.buckets().entrySet()) {
            long upTo = b.getValue() - before.buckets().getOrDefault(b.getKey(), 0L);
            if (upTo >= rank && upTo > below) {
                return lower + (b.getKey() - lower) * (rank - below) / (upTo - below);
            }
            lower = b.getKey();
            below = upTo;
        }
        return after.buckets().isEmpty() ? null : after.buckets().lastKey();
    }
}
