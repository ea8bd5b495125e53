package seq2seq.tools.load;

import org.HdrHistogram.Histogram;

/**
 * One rate of a sweep.
 *
 * @param targetRate  the Poisson rate asked for, requests/s
 * @param fraction    targetRate over the maximum sustainable throughput the sweep is based on
 * @param offered     requests scheduled in the measured window over its length (the Poisson draw around targetRate)
 * @param achieved    answers (translations and dead letters) read in the measured window over its length
 * @param measured    requests scheduled in the measured window (their latencies are the histogram)
 * @param answered    of those, answered (translation or dead letter) before the drain's deadline
 * @param failed      of those, answered with a dead letter
 * @param latencyMicros produce timestamp (the scheduled send time) to read by a read_committed consumer, µs
 * @param latenessMicros the sender's actual send time minus the scheduled one, every request of the step, µs
 * @param sendErrors  requests the producer failed to write
 * @param meanBatchMs mean compute time of the engine batches run during the step (warm-up, window and drain); NaN
 *                    when unknown (a running instance's)
 * @param meanBatchSegments their mean segments, likewise
 */
public record StepResult(double targetRate, double fraction, double offered, double achieved, int measured, int answered,
                         int failed, Histogram latencyMicros, Histogram latenessMicros, int sendErrors,
                         double meanBatchMs, double meanBatchSegments) {

    /** A latency percentile in milliseconds (NaN when nothing was measured). */
    public double latencyMs(double percentile) {
        return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    public double maxLatencyMs() {
        return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getMaxValue() / 1000.0;
    }

    public double latenessMs(double percentile) {
        return latenessMicros.getTotalCount() == 0 ? Double.NaN : latenessMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    public double maxLatenessMs() {
        return latenessMicros.getTotalCount() == 0 ? Double.NaN : latenessMicros.getMaxValue() / 1000.0;
    }

    public int unanswered() {
        return measured - answered;
    }
}
