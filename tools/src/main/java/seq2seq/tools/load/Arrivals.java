package seq2seq.tools.load;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The open-loop send schedule: when each request of a run goes out, as offsets from the run's start. A Poisson process
 * (exponential gaps of mean 1/rate) drawn from a seeded generator: a pure function of the rate, the duration and the
 * seed, computed before the first request is sent, so that nothing the pipeline does (answers, slowness) can move it.
 */
public final class Arrivals {
    private Arrivals() {
    }

    /**
     * Offsets in nanoseconds, ascending, of the arrivals in {@code [0, seconds)} of a Poisson process of
     * {@code ratePerSecond}. The same arguments give the same array.
     */
    public static long[] poisson(double ratePerSecond, double seconds, long seed) {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be positive and finite, found " + ratePerSecond);
        }
        if (!(seconds >= 0)) {
            throw new IllegalArgumentException("duration must not be negative, found " + seconds);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double end = seconds * 1e9;
        double meanGapNanos = 1e9 / ratePerSecond;
        long[] out = new long[(int) Math.min(Integer.MAX_VALUE - 8, Math.ceil(ratePerSecond * seconds * 1.2) + 16)];
        int n = 0;
        double t = 0;
        while (true) {
            // inverse transform: -ln(U) * mean, U in (0, 1]
            t += -Math.log(1.0 - random.nextDouble()) * meanGapNanos;
            if (t >= end) {
                break;
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            out[n++] = (long) t;
        }
        return Arrays.copyOf(out, n);
    }

    /** {@code count} arrivals all at offset 0: a backlog sent as fast as the producer takes it. */
    public static long[] burst(int count) {
        return new long[count];
    }
}
