package seq2seq.tools.load;

import org.HdrHistogram.Histogram;
import seq2seq.tools.OutputReader;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Matches what an {@link OutputReader#fromEnd} reads (translations and dead letters) to the requests sent, by id: the
 * latency is the time the poll that returned it came back minus the request's scheduled send time
 * (System.nanoTime on both sides).
 */
final class Answers implements Consumer<OutputReader.Read> {
    /** One step's requests and what came back for them. Written by the reader's thread, read after the drain. */
    static final class Step {
        final long windowStart;
        final long windowEnd;
        final Histogram latencyMicros = new Histogram(3_600_000_000L, 3);
        private final List<Long> answerNanos = new ArrayList<>();
        private int answered;
        private int failed;
        private int measuredAnswered;
        private int measuredFailed;
        private int inWindow;
        private int sendErrors;

        Step(long windowStart, long windowEnd) {
            this.windowStart = windowStart;
            this.windowEnd = windowEnd;
        }

        synchronized void answer(long scheduled, long seen, boolean measured, boolean failure) {
            answered++;
            answerNanos.add(seen);
            if (failure) {
                failed++;
            }
            if (seen >= windowStart && seen < windowEnd) {
                inWindow++;
            }
            if (measured) {
                measuredAnswered++;
                if (failure) {
                    measuredFailed++;
                }
                latencyMicros.recordValue(Math.min(latencyMicros.getHighestTrackableValue(), Math.max(0, (seen - scheduled) / 1000)));
            }
        }

        synchronized void sendError() {
            sendErrors++;
        }

        /** requests settled: answered or not written */
        synchronized int settled() {
            return answered + sendErrors;
        }

        synchronized int answered() {
            return answered;
        }

        synchronized int measuredAnswered() {
            return measuredAnswered;
        }

        synchronized int measuredFailed() {
            return measuredFailed;
        }

        synchronized int inWindow() {
            return inWindow;
        }

        synchronized int sendErrors() {
            return sendErrors;
        }

        synchronized long[] answerNanos() {
            return answerNanos.stream().mapToLong(Long::longValue).toArray();
        }
    }

    private record Pending(Step step, long scheduledNanos, boolean measured) {
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    /** One record read; called on the reader's thread. */
    @Override
    public void accept(OutputReader.Read r) {
        Pending p = pending.remove(r.id());
        if (p != null) {
            p.step.answer(p.scheduledNanos, r.seenNanos(), p.measured, r.failure() != null);
        }
    }

    /** Registers a request before it is sent. */
    void expect(String id, Step step, long scheduledNanos, boolean measured) {
        pending.put(id, new Pending(step, scheduledNanos, measured));
    }

    /** The producer could not write it. */
    void failed(String id) {
        Pending p = pending.remove(id);
        if (p != null) {
            p.step.sendError();
        }
    }

    /** Forgets the step's requests still unanswered (answers after this are not counted). */
    void forget(Step step) {
        pending.values().removeIf(p -> p.step == step);
    }
}
