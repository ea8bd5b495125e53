package seq2seq.streams;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The batch controller behind {@code batch.latency.target.ms}: per model version (the batcher's lanes), how large a
 * batch to cut and how long a partition may hold segments before handing them over, so that a segment's linger, its
 * wait for a worker and its batch's compute time stay under the target, with batches as large as the target allows
 * (larger batches cost less per segment, so they are what keeps throughput up).
 * <p>
 * How it decides, from a {@link BatchCostModel} fitted to the batches measured and the rows arriving per second λ:
 * <ul>
 *   <li>the budget is the target less what happens outside the batcher ({@code outside}: under exactly-once a
 *       result becomes readable only at the next commit, so the commit interval, plus one punctuation tick);</li>
 *   <li>the largest batch r ≤ {@code batch.size} whose compute and wait for a worker fit the budget at λ, as
 *       {@link BatchPlanner} works it out (a queueing estimate that grows without bound near saturation);</li>
 *   <li>the linger is what is left of the budget, at most {@code batch.linger.ms}: while the workers are busy segments
 *       gather in the batcher's queue anyway, so a longer linger than the configured one would only add latency.</li>
 * </ul>
 * The target cannot be met when a one-row batch alone is predicted over the budget, when no batch size keeps up with
 * λ within it, or when the segments queued now take longer than the budget to run even in full batches. Then it logs
 * (WARN, and INFO when it can again), says so through {@link PipelineEvents#batchTargetChosen}, and serves at full
 * throughput: batches of {@code batch.size}, the fixed linger.
 * <p>
 * Hysteresis, so that a load near the edge (whose measured rate wanders by several per cent from one second to the
 * next) does not flip the choice every few batches:
 * <ul>
 *   <li>a smaller batch when the one in use no longer fits, and full throughput for a backlog, at once: the queue is
 *       there, not estimated;</li>
 *   <li>full throughput because no batch size fits the rate, only once none has fitted for {@link #HOLD} without a
 *       break (meanwhile the batch in use, with no linger);</li>
 *   <li>a move back (a larger batch, or leaving full throughput) only once it has fitted at {@value #HEADROOM_PERCENT} %
 *       more load than measured for {@link #HOLD} without a break, and no sooner than {@link #HOLD} after the last
 *       change. It goes to the largest batch that fits that much more load, so the rate must rise as much again before
 *       the batch shrinks: a move back is taken when the rate happens to be low, and such a rate tends to come back
 *       up soon.</li>
 * </ul>
 * Until the model has {@value #MIN_SAMPLES} batches of at least two sizes, the fixed settings apply.
 * <p>
 * Thread-safe: the batcher asks under its lock, stream threads read the linger, engine workers report times.
 */
public final class LatencyTarget {
    private static final Logger log = LoggerFactory.getLogger(LatencyTarget.class);

    /** batches measured before the model is trusted */
    static final int MIN_SAMPLES = 20;
    /** time constant of the arrival rate's exponential average */
    static final Duration RATE_WINDOW = Duration.ofSeconds(1);
    /** how long a move back (a larger batch, leaving full throughput) must have fitted, and the least time between changes */
    static final Duration HOLD = Duration.ofSeconds(2);
    /** the extra load, in per cent of the measured rate, a move back must fit */
    static final int HEADROOM_PERCENT = 20;
    /** how often a lane's plan is worked out again when no batch was measured in between */
    static final Duration REPLAN = Duration.ofMillis(20);

    /**
     * What a lane does now.
     *
     * @param maxRows         the largest batch to cut
     * @param lingerNanos     how long a partition may hold this lane's segments before handing them over
     * @param reachable       false while the target cannot be met (the choice is then full throughput)
     * @param predictedMillis predicted compute time of a batch of {@code maxRows}; NaN while the fixed settings apply
     *                        for want of samples
     */
    public record Choice(int maxRows, long lingerNanos, boolean reachable, double predictedMillis) {
    }

    private final Duration target;
    /** target less what is spent outside the batcher, ms */
    private final double budgetMillis;
    private final int fixedRows;
    private final long fixedLingerNanos;
    /** which batches fit the budget */
    private final BatchPlanner planner;
    private final PipelineEvents events;
    private final LongSupplier nanoClock;
    /** per lane; guarded by this */
    private final Map<ModelVersion, Lane> lanes = new HashMap<>();

    private static final class Lane {
        final BatchCostModel cost = new BatchCostModel();
        /** rows per second arriving, exponentially averaged, as of {@link #rateAt} */
        double rate;
        long rateAt;
        /** the rate the plans below were made for, and when; plan null: to be made */
        double plannedRate;
        long plannedAt;
        /** the largest batch that fits at the planned rate, and the largest that fits with the headroom */
        Choice plan;
        Choice headroomPlan;
        /** what was last answered */
        Choice choice;
        boolean unreachable;
        /** the batch size in use while reachable; 0 before the first decision */
        int rows;
        /** when the batch size or reachability last changed */
        long changedAt;
        /** since when a move back has fitted without a break; -1: it does not now */
        long upSince = -1;
        /** since when no batch size has fitted without a break; -1: one does now */
        long downSince = -1;
    }

    /**
     * @param settings batch.size and batch.linger.ms (the fixed settings, the fallback) and the target
     * @param outside  the part of a request's latency spent outside the batcher and its partition's linger
     */
    public LatencyTarget(PipelineSettings settings, Duration outside, PipelineEvents events) {
        this(settings.batchLatencyTarget(), outside, settings.batchMaxSize(), settings.batchLinger(), events, System::nanoTime);
    }

    LatencyTarget(Duration target, Duration outside, int fixedRows, Duration fixedLinger, PipelineEvents events,
                  LongSupplier nanoClock) {
        if (target.isZero() || target.isNegative()) {
            throw new IllegalArgumentException("a latency target must be positive, got " + target);
        }
        this.target = target;
        this.budgetMillis = (target.toNanos() - outside.toNanos()) / 1e6;
        this.fixedRows = fixedRows;
        this.fixedLingerNanos = fixedLinger.toNanos();
        this.planner = new BatchPlanner(budgetMillis, fixedRows, fixedLingerNanos);
        this.events = events;
        this.nanoClock = nanoClock;
        log.info("batch.latency.target.ms={}: {} ms of it for linger, queue and compute (the rest, {} ms, is the commit "
                + "and tick after a batch); fixed batching until {} batches are measured", target.toMillis(),
                Math.round(budgetMillis), outside.toMillis(), MIN_SAMPLES);
    }

    /** {@code rows} segments were handed to {@code version}'s queue. */
    public synchronized void arrived(ModelVersion version, int rows) {
        Lane lane = lane(version);
        long now = nanoClock.getAsLong();
        lane.rate = rate(lane, now) + rows / seconds(RATE_WINDOW.toNanos());
        lane.rateAt = now;
    }

    /**
     * One of {@code version}'s batches finished after {@code nanos}; returns what the model predicted for it (ms,
     * NaN before it could), which it then learns from.
     */
    public synchronized double measured(ModelVersion version, int rows, int estimatedTokens, long nanos) {
        Lane lane = lane(version);
        double predicted = ready(lane) ? lane.cost.predictMillis(rows, estimatedTokens) : Double.NaN;
        lane.cost.record(rows, estimatedTokens, nanos);
        lane.plan = null;
        return predicted;
    }

    /**
     * The batch to cut now for {@code version}, with {@code queuedRows} segments in its queue and {@code workers}
     * engine workers shared by all lanes.
     */
    public synchronized Choice choose(ModelVersion version, int queuedRows, int workers) {
        Lane lane = lane(version);
        long now = nanoClock.getAsLong();
        Choice choice;
        if (!ready(lane)) {
            choice = new Choice(fixedRows, fixedLingerNanos, true, Double.NaN);
        } else {
            if (lane.plan == null || now - lane.plannedAt >= REPLAN.toNanos()) {
                lane.plannedRate = rate(lane, now);
                lane.plannedAt = now;
                lane.plan = planner.largest(lane.cost, lane.plannedRate, workers);
                lane.headroomPlan = planner.largest(lane.cost, lane.plannedRate * (1 + HEADROOM_PERCENT / 100.0), workers);
            }
            double drainMillis = planner.drainMillis(lane.cost, queuedRows, workers);
            Supplier<String> backlog = drainMillis <= budgetMillis ? null : () -> String.format(Locale.ROOT,
                    "the %d segments queued take about %.0f ms to run in full batches", queuedRows, drainMillis);
            choice = decide(version, lane, backlog, workers, now);
        }
        if (!choice.equals(lane.choice)) {
            lane.choice = choice;
            events.batchTargetChosen(version.name(), choice.maxRows(), choice.lingerNanos(), choice.reachable());
        }
        return choice;
    }

    /** the largest batch to cut for {@code version} as last chosen (the fixed one before any choice) */
    public synchronized int maxRows(ModelVersion version) {
        Lane lane = lanes.get(version);
        return lane == null || lane.choice == null ? fixedRows : lane.choice.maxRows();
    }

    /** how long a partition may hold {@code version}'s segments, as last chosen (the fixed linger before any choice) */
    public synchronized long lingerMillis(ModelVersion version) {
        Lane lane = lanes.get(version);
        return (lane == null || lane.choice == null ? fixedLingerNanos : lane.choice.lingerNanos()) / 1_000_000;
    }

    /** The version is no longer served. */
    public synchronized void forget(ModelVersion version) {
        lanes.remove(version);
    }

    public Duration target() {
        return target;
    }

    private Lane lane(ModelVersion version) {
        return lanes.computeIfAbsent(version, v -> new Lane());
    }

    private static boolean ready(Lane lane) {
        return lane.cost.samples() >= MIN_SAMPLES && lane.cost.fitted();
    }

    /** the rows per second arriving, decayed to {@code now} */
    private static double rate(Lane lane, long now) {
        return lane.rate * Math.exp(-(now - lane.rateAt) / (double) RATE_WINDOW.toNanos());
    }

    /**
     * The choice given the plan and a {@code backlog} (why the queue alone breaks the target; null when it does not),
     * with the hysteresis of the class comment: a backlog gives up at once; a rate at which no batch size fits, only
     * once it has lasted the hold (the rate is an estimate that wanders, a backlog is there); a smaller batch at once;
     * back only with headroom and after the hold.
     */
    private Choice decide(ModelVersion version, Lane lane, Supplier<String> backlog, int workers, long now) {
        boolean fits = lane.plan.reachable();
        if (fits || backlog != null) {
            lane.downSince = -1;
        } else if (lane.downSince < 0) {
            lane.downSince = now;
        }
        if (!fits || backlog != null) {
            lane.upSince = -1;
        }
        boolean decided = lane.rows > 0 || lane.unreachable;
        if (backlog != null || (!fits && (!decided || now - lane.downSince >= HOLD.toNanos()))) {
            if (!lane.unreachable) {
                change(lane, true, 0, now);
                log.warn("batch.latency.target.ms={} cannot be met for {}: {}, over the {} ms left for linger, queue and "
                                + "compute; serving at full throughput (batches of up to {} segments, each predicted {} ms)",
                        target.toMillis(), version, backlog != null ? backlog.get()
                                : planner.whyNone(lane.cost, lane.plannedRate, workers),
                        Math.round(budgetMillis), fixedRows, Math.round(lane.cost.predictMillis(fixedRows)));
            }
        } else if (!fits) {
            if (!lane.unreachable) { // not for long enough to give up: the batch in use, with no linger left
                return new Choice(lane.rows, 0, true, lane.cost.predictMillis(lane.rows));
            }
        } else if (!decided) {
            change(lane, false, lane.plan.maxRows(), now); // the first decision: nothing to hold
        } else if (!lane.unreachable && planner.fit(lane.cost, lane.rows, lane.plannedRate, workers) == null) {
            change(lane, false, lane.plan.maxRows(), now); // the load rose: the largest batch that still fits
        } else if (movesBack(lane, now)) {
            boolean wasUnreachable = lane.unreachable;
            change(lane, false, lane.headroomPlan.maxRows(), now);
            if (wasUnreachable) {
                log.info("batch.latency.target.ms={} can be met again for {}: batches of up to {} segments",
                        target.toMillis(), version, lane.rows);
            }
        }
        return lane.unreachable ? planner.full(lane.cost) : planner.fit(lane.cost, lane.rows, lane.plannedRate, workers);
    }

    /** whether a move back (a larger batch, or leaving full throughput) has fitted with the headroom for the hold */
    private static boolean movesBack(Lane lane, long now) {
        boolean fits = lane.headroomPlan.reachable() && (lane.unreachable || lane.headroomPlan.maxRows() > lane.rows);
        if (!fits) {
            lane.upSince = -1;
            return false;
        }
        if (lane.upSince < 0) {
            lane.upSince = now;
        }
        return now - lane.upSince >= HOLD.toNanos() && now - lane.changedAt >= HOLD.toNanos();
    }

    private static void change(Lane lane, boolean unreachable, int rows, long now) {
        lane.unreachable = unreachable;
        lane.rows = rows;
        lane.changedAt = now;
        lane.upSince = -1;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
