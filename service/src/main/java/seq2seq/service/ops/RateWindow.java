package seq2seq.service.ops;

import java.util.function.LongSupplier;

/** Events per second over the last few seconds, in one-second buckets (for gauges and the status page). */
final class RateWindow {
    private static final long SECOND = 1_000_000_000L;
    /** nanosecond clock (System::nanoTime; tests pass their own) */
    private final LongSupplier clock;
    /** counts per second, indexed by second modulo the window */
    private final long[] counts;
    /** which second each bucket currently holds */
    private final long[] seconds;
    /** when counting began, so a young window does not understate the rate */
    private final long startNanos;

    RateWindow(int windowSeconds, LongSupplier clock) {
        this.clock = clock;
        this.counts = new long[windowSeconds];
        this.seconds = new long[windowSeconds];
        this.startNanos = clock.getAsLong();
        java.util.Arrays.fill(seconds, Long.MIN_VALUE);
    }

    synchronized void add(long n) {
        long second = Math.floorDiv(clock.getAsLong(), SECOND);
        int i = (int) Math.floorMod(second, counts.length);
        if (seconds[i] != second) {
            seconds[i] = second;
            counts[i] = 0;
        }
        counts[i] += n;
    }

    /** Mean rate over the completed seconds of the window plus the current one. */
    synchronized double perSecond() {
        long now = clock.getAsLong();
        long second = Math.floorDiv(now, SECOND);
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (seconds[i] > second - counts.length) {
                sum += counts[i];
            }
        }
        double span = Math.min(counts.length - 1 + (now - second * SECOND) / (double) SECOND,
                (now - startNanos) / (double) SECOND);
        return span <= 0 ? 0 : sum / Math.max(span, 1.0);
    }
}
