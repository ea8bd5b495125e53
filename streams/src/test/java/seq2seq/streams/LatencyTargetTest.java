package seq2seq.streams;

import org.junit.jupiter.api.Test;
import seq2seq.generation.ModelInfo;
import seq2seq.generation.Translation;
import seq2seq.generation.TranslationTask;
import seq2seq.generation.Translator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The latency target's choices on a synthetic cost model, on a clock of the test's: every batch of r rows is measured
 * at 20 ms + 3 ms·r, with 10 tokens a row. With one worker and λ rows arriving per second, a batch of r keeps the
 * worker busy ρ = λ·t(r)/r of the time and a row's wait and compute is (1 + ρ)·t(r).
 */
class LatencyTargetTest {
    private static final int BATCH_SIZE = 64;
    private static final Duration LINGER = Duration.ofMillis(20);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final ModelVersion version = new ModelVersion(new NamedTranslator("m"));
    /** whether the target was reachable, at each choice reported */
    private final List<Boolean> reported = new ArrayList<>();
    private final PipelineEvents events = new PipelineEvents() {
        @Override
        public void batchTargetChosen(String model, int maxSegments, long lingerNanos, boolean reachable) {
            reported.add(reachable);
        }
    };

    private LatencyTarget target(long targetMillis) {
        return new LatencyTarget(Duration.ofMillis(targetMillis), Duration.ZERO, BATCH_SIZE, LINGER, events, clock::get);
    }

    /** {@code batches} batches measured at 20 ms + 3 ms a row, of 1..64 rows in turn */
    private void learn(LatencyTarget t, int batches) {
        for (int i = 0; i < batches; i++) {
            int rows = 1 + (i * 7) % BATCH_SIZE;
            t.measured(version, rows, 10 * rows, Duration.ofMillis(20 + 3L * rows).toNanos());
        }
    }

    /** one row at a time at {@code perSecond} for {@code seconds} of the test's clock */
    private void arrive(LatencyTarget t, double perSecond, double seconds) {
        long gap = (long) (1e9 / perSecond);
        for (long at = 0; at < seconds * 1e9; at += gap) {
            clock.addAndGet(gap);
            t.arrived(version, 1);
        }
    }

    @Test
    void choosesTheLargestBatchWhoseWaitAndComputeFitTheTarget() {
        LatencyTarget t = target(200);
        learn(t, 100);
        arrive(t, 100, 5);
        LatencyTarget.Choice c = t.choose(version, 0, 1);
        // r = 42: t = 146 ms, ρ ≈ 0.35, 1.35 × 146 ≈ 197 ms ≤ 200; r = 43: 1.35 × 149 ≈ 200.6 ms > 200
        assertTrue(c.reachable());
        assertEquals(42, c.maxRows());
        assertEquals(146, c.predictedMillis(), 0.01);
        assertEquals(3, Duration.ofNanos(c.lingerNanos()).toMillis(), "what is left of the target: about 3 ms");
        assertEquals(42, t.maxRows(version), "what the partitions read");
        assertEquals(3, t.lingerMillis(version));
        assertEquals(50, t.measured(version, 10, 100, 50_000_000), 0.01, "the prediction for a batch of 10 rows");
    }

    @Test
    void aLighterLoadAllowsLargerBatchesAndTheFixedLingerCapsWhatIsLeft() {
        LatencyTarget t = target(300);
        learn(t, 100);
        arrive(t, 10, 5);
        LatencyTarget.Choice c = t.choose(version, 0, 1);
        // r = 64: t = 212 ms, ρ ≈ 0.03, about 219 ms: 81 ms left, more than the fixed 20 ms linger
        assertTrue(c.reachable());
        assertEquals(BATCH_SIZE, c.maxRows(), "never above batch.size");
        assertEquals(LINGER.toNanos(), c.lingerNanos());
    }

    @Test
    void aOneRowBatchOverTheTargetIsUnreachableAndServedAtFullThroughput() {
        LatencyTarget t = target(20); // one row: 23 ms
        learn(t, 100);
        arrive(t, 10, 2);
        LatencyTarget.Choice c = t.choose(version, 0, 1);
        assertFalse(c.reachable());
        assertEquals(BATCH_SIZE, c.maxRows());
        assertEquals(LINGER.toNanos(), c.lingerNanos());
        assertEquals(212, c.predictedMillis(), 0.01, "a full batch's time");
        assertEquals(List.of(false), reported);
    }

    @Test
    void aLoadNoBatchSizeKeepsUpWithWithinTheTargetIsUnreachable() {
        LatencyTarget t = target(200);
        learn(t, 100);
        arrive(t, 250, 5);
        // ρ = 0.25·(20 + 3r)/r is within 0.9 only for r ≥ 33, where (1 + ρ)·t(r) is over 220 ms
        LatencyTarget.Choice c = t.choose(version, 0, 1);
        assertFalse(c.reachable());
        assertEquals(BATCH_SIZE, c.maxRows());
    }

    @Test
    void twoWorkersShareTheLoad() {
        LatencyTarget t = target(200);
        learn(t, 100);
        arrive(t, 250, 5);
        LatencyTarget.Choice c = t.choose(version, 0, 2);
        // ρ = 0.125·(20 + 3r)/r: r = 39: t = 137 ms, ρ ≈ 0.44, about 197 ms; r = 40: t = 140 ms, about 201 ms
        assertTrue(c.reachable());
        assertEquals(39, c.maxRows());
    }

    @Test
    void aBacklogOverTheTargetIsUnreachableUntilItHasBeenClearForTheHold() {
        LatencyTarget t = target(200);
        learn(t, 100);
        arrive(t, 100, 5);
        assertTrue(t.choose(version, 0, 1).reachable());
        // 1 000 rows queued: 15 full batches of 212 ms and one of 40 rows
        assertTrue(t.choose(version, 42, 1).reachable(), "a queue of one chosen batch is what the plan expects");
        LatencyTarget.Choice backlog = t.choose(version, 1000, 1);
        assertFalse(backlog.reachable());
        assertEquals(BATCH_SIZE, backlog.maxRows(), "a backlog is run in full batches");
        arrive(t, 100, 0.5);
        assertFalse(t.choose(version, 0, 1).reachable(), "held: the target looks reachable only since now");
        arrive(t, 100, 1.0);
        LatencyTarget.Choice after = t.choose(version, 0, 1);
        assertTrue(after.reachable());
        assertEquals(42, after.maxRows());
        assertEquals(List.of(true, false, true), reported, "one report per change, none while held");
    }

    @Test
    void withTooFewSamplesTheFixedSettingsApply() {
        LatencyTarget t = target(200);
        arrive(t, 100, 5);
        learn(t, LatencyTarget.MIN_SAMPLES - 1);
        LatencyTarget.Choice c = t.choose(version, 0, 1);
        assertTrue(c.reachable());
        assertEquals(BATCH_SIZE, c.maxRows());
        assertEquals(LINGER.toNanos(), c.lingerNanos());
        assertTrue(Double.isNaN(c.predictedMillis()));
        assertTrue(Double.isNaN(t.measured(version, 5, 50, 35_000_000)), "no prediction before the model is trusted");
        assertEquals(42, t.choose(version, 0, 1).maxRows(), "the batch that made it " + LatencyTarget.MIN_SAMPLES);
    }

    @Test
    void batchesOfOneSizeOnlyTellNoSlopeSoTheFixedSettingsApply() {
        LatencyTarget t = target(200);
        for (int i = 0; i < 50; i++) {
            t.measured(version, 1, 10, 23_000_000);
        }
        arrive(t, 5, 2);
        LatencyTarget.Choice c = t.choose(version, 0, 1);
        assertEquals(BATCH_SIZE, c.maxRows());
        assertTrue(Double.isNaN(c.predictedMillis()));
    }

    /** only a name: the controller never runs it */
    private record NamedTranslator(String name) implements Translator {
        @Override
        public List<Translation> translate(List<TranslationTask> tasks) {
            throw new UnsupportedOperationException("not run here");
        }

        @Override
        public ModelInfo modelInfo() {
            return new ModelInfo(name, "v1", 64);
        }

        @Override
        public void close() {
        }
    }
}
