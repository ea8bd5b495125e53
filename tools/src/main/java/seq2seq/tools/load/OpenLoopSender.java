package seq2seq.tools.load;

import org.HdrHistogram.Histogram;

import java.util.concurrent.locks.LockSupport;

/**
 * Sends a schedule open loop: request i goes out at {@code start + offsets[i]}, whatever happened to the requests
 * before it. The sink hands a request over and returns (the Kafka producer's {@code send} is asynchronous); the sender
 * never waits for an answer. When the sink is slow to take a request (a full producer buffer), the following requests
 * go out late but are not moved: each keeps its scheduled time, which is also the time its latency is measured from,
 * and the lateness (actual minus scheduled send time) is recorded, so that a sender that fell behind shows in the
 * report instead of lowering the offered rate unseen.
 */
public final class OpenLoopSender {
    /** Takes request {@code index}, scheduled at {@code scheduledNanos} (System.nanoTime), without waiting for its answer. */
    @FunctionalInterface
    public interface Sink {
        void send(int index, long scheduledNanos);
    }

    /** What the sender saw: lateness in microseconds, and each request's actual send time (System.nanoTime). */
    public record Sent(Histogram latenessMicros, long[] sentNanos) {
    }

    private OpenLoopSender() {
    }

    /** Sends every request of {@code offsets} at {@code startNanos + offsets[i]}, on this thread. */
    public static Sent run(long[] offsets, long startNanos, Sink sink) {
        Histogram lateness = new Histogram(3_600_000_000L, 3);
        long[] sentAt = new long[offsets.length];
        for (int i = 0; i < offsets.length; i++) {
            long due = startNanos + offsets[i];
            long now = System.nanoTime();
            while (now < due) {
                long wait = due - now;
                if (wait > 200_000) {
                    LockSupport.parkNanos(wait - 100_000);
                } else {
                    Thread.onSpinWait();
                }
                now = System.nanoTime();
            }
            sentAt[i] = now;
            lateness.recordValue(Math.min(lateness.getHighestTrackableValue(), (now - due) / 1_000));
            sink.send(i, due);
        }
        return new Sent(lateness, sentAt);
    }
}
