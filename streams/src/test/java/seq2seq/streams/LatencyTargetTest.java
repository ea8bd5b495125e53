package seq2seq.streams;

import org.junit.jupiter.api.Test;
import seq2seq.generation.ModelInfo;
import seq2seq.generation.Translation;
import seq2seq.generation.TranslationTask;
import seq2seq.generation.Translator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The latency target's choices on a synthetic cost model, on a clock of the test's: every batch of r rows is measured
 * at 20 ms + 3 ms·r, with 10 tokens a row. With one worker and λ rows arriving per second, a batch of r keeps the
 * worker busy ρ = λ·t(r)/r of the time and a row's wait and compute is planned as t(r)/(1 − ρ). (The rates below are
 * the controller's estimates after the arrivals: a little above the nominal rate just after an arrival.)
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
        // r = 36: t = 128 ms, ρ ≈ 0.355, 128 / 0.645 ≈ 198.4 ms ≤ 200; r = 37: t = 131 ms, ρ ≈ 0.353, 202.6 ms > 200
        assertTrue(c.reachable());
        assertEquals(36, c.maxRows());
        assertEquals(128, c.predictedMillis(), 0.01);
        assertEquals(1, Duration.ofNanos(c.lingerNanos()).toMillis(), "what is left of the target: about 1.6 ms");
        assertEquals(36, t.maxRows(version), "what the partitions read");
        assertEquals(1, t.lingerMillis(version));
        assertEquals(50, t.measured(version, 10, 100, 50_000_000), 0.01, "the prediction for a batch of 10 rows");
    }

    @Test
    void aLighterLoadAllowsLargerBatchesAndTheFixedLingerCapsWhatIsLeft() {
        LatencyTarget t = target(300);
        learn(t, 100);
        arrive(t, 10, 5);
        LatencyTarget.Choice c = t.choose(version, 0, 1);
        // r = 64: t = 212 ms, ρ ≈ 0.035, about 220 ms: 80 ms left, more than the fixed 20 ms linger
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
        // ρ = 0.25·(20 + 3r)/r is within 0.9 only for r ≥ 34, where t(r)/(1 − ρ) is over 1 000 ms
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
        // ρ = 0.125·(20 + 3r)/r: r = 29: t = 107 ms, ρ ≈ 0.46, about 198 ms; r = 30: t = 110 ms, about 202 ms
        assertTrue(c.reachable());
        assertEquals(29, c.maxRows());
    }

    @Test
    void aBacklogOverTheTargetIsUnreachableUntilItHasBeenClearForTheHold() {
        LatencyTarget t = target(200);
        learn(t, 100);
        arrive(t, 100, 5);
        assertTrue(t.choose(version, 0, 1).reachable());
        // 1 000 rows queued: 15 full batches of 212 ms and one of 40 rows
        assertTrue(t.choose(version, 36, 1).reachable(), "a queue of one chosen batch is what the plan expects");
        LatencyTarget.Choice backlog = t.choose(version, 1000, 1);
        assertFalse(backlog.reachable());
        assertEquals(BATCH_SIZE, backlog.maxRows(), "a backlog is run in full batches");
        arrive(t, 100, 1.0);
        assertFalse(t.choose(version, 0, 1).reachable(), "held: the target looks reachable only since now");
        arrive(t, 100, 1.0);
        assertFalse(t.choose(version, 0, 1).reachable(), "held: 2 s since the change, but reachable only for 1 s");
        arrive(t, 100, 1.0);
        LatencyTarget.Choice after = t.choose(version, 0, 1);
        assertTrue(after.reachable());
        // back with the headroom: the largest batch that fits 120 rows/s, r = 30: t = 110 ms, ρ ≈ 0.44, 197 ms
        assertEquals(30, after.maxRows());
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
        assertEquals(36, t.choose(version, 0, 1).maxRows(), "the batch that made it " + LatencyTarget.MIN_SAMPLES);
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

    /**
     * A load ramp through one worker that runs the synthetic model on the test's clock: from 10 % to 130 % of the
     * highest load at which some batch size keeps t(r)/(1 − ρ) within the target, in steps of 5 % of 10 s each, with
     * Poisson arrivals, and back down to 50 %. Up to 95 % of that load the controller keeps the target, in its plan
     * and in the latencies the simulated queue gives; it gives the target up once on the way up and takes it back once
     * on the way down, and its batch size seldom turns back (the measured rate wanders by several per cent at these
     * rates: without the headroom the size went up and down several times a step; without the hold the target was
     * given up below 95 %).
     */
    @Test
    void aLoadRampKeepsTheTargetUpToTheHighestLoadTheModelAllowsWithoutFlapping() {
        long targetMillis = 200;
        LatencyTarget t = target(targetMillis);
        learn(t, 100);
        double highest = highestLoadWithinTarget(targetMillis);
        assertEquals(155.8, highest, 0.1, "r = 14 or 15: ρ ≈ 0.65, t(r)/(1 − ρ) = 200 ms");
        OneWorker worker = new OneWorker(t, new Random(24));
        OneWorker.Step step = null;
        int steps = 0;
        for (int percent = 10; percent <= 130; percent += 5, steps++) {
            step = worker.run(highest * percent / 100, 10);
            if (percent <= 95) {
                assertTrue(step.alwaysReachable, "the target is kept at " + percent + " %");
                assertTrue(step.p99Millis() <= targetMillis, "p99 " + step.p99Millis() + " ms at " + percent + " %");
            }
        }
        assertFalse(step.alwaysReachable, "given up at 130 %");
        int top = worker.choices.size();
        for (int percent = 125; percent >= 50; percent -= 5, steps++) {
            step = worker.run(highest * percent / 100, 10);
        }
        assertTrue(step.alwaysReachable, "kept again at 50 %");
        assertEquals(List.of(false), reachabilityChanges(worker.choices.subList(0, top)), "given up once on the way up");
        assertEquals(List.of(true), reachabilityChanges(worker.choices.subList(top - 1, worker.choices.size())),
                "taken back once on the way down");
        int turns = turns(worker.choices);
        assertTrue(turns <= steps / 3, "the batch size turned back " + turns + " times in " + steps + " steps");
    }

    /** the reachability of each choice that differs from the one before */
    private static List<Boolean> reachabilityChanges(List<LatencyTarget.Choice> choices) {
        List<Boolean> changes = new ArrayList<>();
        for (int i = 1; i < choices.size(); i++) {
            if (choices.get(i).reachable() != choices.get(i - 1).reachable()) {
                changes.add(choices.get(i).reachable());
            }
        }
        return changes;
    }

    /** how often the batch size, between reachable choices, changed the other way from its last change */
    private static int turns(List<LatencyTarget.Choice> choices) {
        int turns = 0;
        int last = 0;
        for (int i = 1; i < choices.size(); i++) {
            LatencyTarget.Choice before = choices.get(i - 1);
            LatencyTarget.Choice now = choices.get(i);
            int direction = Integer.signum(now.maxRows() - before.maxRows());
            if (before.reachable() && now.reachable() && direction != 0) {
                turns += last != 0 && direction != last ? 1 : 0;
                last = direction;
            }
        }
        return turns;
    }

    /** the highest λ at which some r ≤ batch.size has ρ ≤ 0.9 and t(r)/(1 − ρ) within the target, one worker */
    private static double highestLoadWithinTarget(double targetMillis) {
        double best = 0;
        for (int r = 1; r <= BATCH_SIZE; r++) {
            double compute = 20 + 3.0 * r;
            // t/(1 − λt/r) ≤ T  ⇔  λ ≤ r(1 − t/T)/t; and ρ ≤ 0.9  ⇔  λ ≤ 0.9·r/t
            double lambda = Math.min(r * (1 - compute / targetMillis), BatchPlanner.MAX_UTILISATION * r) / compute * 1000;
            best = Math.max(best, lambda);
        }
        return best;
    }

    /**
     * One engine worker on the test's clock: whenever it is free it asks the controller and takes up to the chosen
     * batch from the queue's head, which takes the synthetic model's time; each segment's latency is its arrival to
     * its batch's end (no linger: segments reach the queue as they arrive).
     */
    private final class OneWorker {
        /** the segments that arrived in one step of the ramp */
        final class Step {
            final List<Long> latencies = new ArrayList<>();
            boolean alwaysReachable = true;

            double p99Millis() {
                List<Long> sorted = latencies.stream().sorted().toList();
                return sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1) / 1e6;
            }
        }

        private record Queued(long arrivedAt, Step step) {
        }

        final List<LatencyTarget.Choice> choices = new ArrayList<>();


        private final LatencyTarget target;
        private final Random random;
        private final ArrayDeque<Queued> queue = new ArrayDeque<>();
        private List<Queued> running = List.of();
        private long busyUntil;

        OneWorker(LatencyTarget target, Random random) {
            this.target = target;
            this.random = random;
            this.busyUntil = clock.get();
        }

        /** {@code seconds} of Poisson arrivals at {@code perSecond}, served as they come */
        Step run(double perSecond, double seconds) {
            Step step = new Step();
            long end = clock.get() + (long) (seconds * 1e9);
            long next = clock.get() + gap(perSecond);
            while (next < end) {
                while (!running.isEmpty() && busyUntil <= next) {
                    clock.set(busyUntil);
                    finish();
                }
                clock.set(next);
                target.arrived(version, 1);
                queue.add(new Queued(next, step));
                if (running.isEmpty()) {
                    start();
                }
                next += gap(perSecond);
            }
            return step;
        }

        private long gap(double perSecond) {
            return (long) (-Math.log(1 - random.nextDouble()) / perSecond * 1e9);
        }

        private void start() {
            LatencyTarget.Choice c = target.choose(version, queue.size(), 1);
            choices.add(c);
            queue.peek().step().alwaysReachable &= c.reachable();
            List<Queued> batch = new ArrayList<>();
            while (!queue.isEmpty() && batch.size() < c.maxRows()) {
                batch.add(queue.poll());
            }
            running = batch;
            busyUntil = clock.get() + Duration.ofMillis(20 + 3L * batch.size()).toNanos();
        }

        private void finish() {
            for (Queued q : running) {
                q.step().latencies.add(busyUntil - q.arrivedAt());
            }
            target.measured(version, running.size(), 10 * running.size(), Duration.ofMillis(20 + 3L * running.size()).toNanos());
            running = List.of();
            if (!queue.isEmpty()) {
                start();
            }
        }
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
