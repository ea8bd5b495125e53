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
 *   <li>a batch of r rows takes t(r); with P workers the engines are busy a share ρ(r) = λ·t(r) / (P·r) of the time,
 *       and a segment that arrives finds a batch running and waits for it about ρ·t(r). The largest r ≤
 *       {@code batch.size} with (1 + ρ)·t(r) within the budget and ρ ≤ {@value #MAX_UTILISATION} is chosen (near full
 *       utilisation a queue's wait grows without bound, whatever the mean says);</li>
 *   <li>the linger is what is left of the budget, at most {@code batch.linger.ms}: while the workers are busy segments
 *       gather in the batcher's queue anyway, so a longer linger than the configured one would only add latency.</li>
 * </ul>
 * The target cannot be met when a one-row batch alone is predicted over the budget, when no batch size keeps up with
 * λ within it, or when the segments queued now take longer than the budget to run even in full batches. Then it logs
 * once (WARN, and INFO when it can again), says so through {@link PipelineEvents#batchTargetChosen}, and serves at full
 * throughput: batches of {@code batch.size}, the fixed linger. It stays there until the target has been reachable for
 * {@link #HOLD} again, so that a load near the edge does not flip it (and the log) every batch. Until the model has
 * {@value #MIN_SAMPLES} batches of at least two sizes, the fixed settings apply.
 * <p>
 * Thread-safe: the batcher asks under its lock, stream threads read the linger, engine workers report times.
 */
public final class LatencyTarget {
    private static final Logger log = LoggerFactory.getLogger(LatencyTarget.class);

    /** batches measured before the model is trusted */
    static final int MIN_SAMPLES = 20;
    /** the busiest the workers may be planned to be */
    static final double MAX_UTILISATION = 0.9;
    /** time constant of the arrival rate's exponential average */
    static final Duration RATE_WINDOW = Duration.ofSeconds(1);
    /** how long the target must look reachable again before the controller leaves full throughput */
    static final Duration HOLD = Duration.ofSeconds(1);
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
    private final PipelineEvents events;
    private final LongSupplier nanoClock;
    /** per lane; guarded by this */
    private final Map<ModelVersion, Lane> lanes = new HashMap<>();

    private static final class Lane {
        final BatchCostModel cost = new BatchCostModel();
        /** rows per second arriving, exponentially averaged, as of {@link #rateAt} */
        double rate;
        long rateAt;
        /** the plan without the queue's backlog, and when it was made; null: to be made */
        Choice plan;
        long plannedAt;
        /** what was last answered */
        Choice choice;
        boolean unreachable;
        /** since when the target looks reachable again while {@link #unreachable}; -1: not */
        long clearSince = -1;
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
                lane.plan = plan(lane, rate(lane, now), workers);
                lane.plannedAt = now;
            }
            double rate = rate(lane, now);
            // the work queued now, in full batches and one of the rest, spread over the workers: the last row's wait
            int rest = queuedRows % fixedRows;
            double drainMillis = (queuedRows / fixedRows * lane.cost.predictMillis(fixedRows)
                    + (rest == 0 ? 0 : lane.cost.predictMillis(rest))) / workers;
            Supplier<String> why = !lane.plan.reachable() ? () -> whyUnreachable(lane, rate, workers)
                    : drainMillis > budgetMillis ? () -> String.format(Locale.ROOT,
                    "the %d segments queued take about %.0f ms to run in full batches", queuedRows, drainMillis) : null;
            choice = decide(version, lane, why, now);
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

    /** The largest batch whose segments' linger, wait and compute fit the budget at {@code rate}; unreachable if none. */
    private Choice plan(Lane lane, double rate, int workers) {
        for (int rows = fixedRows; rows >= 1; rows--) {
            double compute = lane.cost.predictMillis(rows);
            double busy = utilisation(rate, compute, rows, workers);
            if (busy > MAX_UTILISATION) {
                break; // smaller batches spend more per row: they keep the workers busier still
            }
            double needed = (1 + busy) * compute;
            if (needed <= budgetMillis) {
                long linger = Math.min(fixedLingerNanos, (long) ((budgetMillis - needed) * 1e6));
                return new Choice(rows, linger, true, compute);
            }
        }
        return new Choice(fixedRows, fixedLingerNanos, false, lane.cost.predictMillis(fixedRows));
    }

    /** why {@link #plan} found no batch size, for the log */
    private String whyUnreachable(Lane lane, double rate, int workers) {
        double one = lane.cost.predictMillis(1);
        if (one > budgetMillis) {
            return String.format(Locale.ROOT, "a batch of one segment is predicted to take %.0f ms", one);
        }
        double full = lane.cost.predictMillis(fixedRows);
        return String.format(Locale.ROOT, "at %.0f segments/s no batch size fits (batches of %d are predicted to take "
                + "%.0f ms, the workers busy %.0f %% of the time)", rate, fixedRows, full,
                100 * utilisation(rate, full, fixedRows, workers));
    }

    /** The choice given whether the target can be met now ({@code why} not: null when it can), with the hold before leaving full throughput. */
    private Choice decide(ModelVersion version, Lane lane, Supplier<String> why, long now) {
        double full = lane.cost.predictMillis(fixedRows);
        if (why != null) {
            lane.clearSince = -1;
            if (!lane.unreachable) {
                lane.unreachable = true;
                log.warn("batch.latency.target.ms={} cannot be met for {}: {}, over the {} ms left for linger, queue and "
                                + "compute; serving at full throughput (batches of up to {} segments, each predicted {} ms)",
                        target.toMillis(), version, why.get(), Math.round(budgetMillis), fixedRows, Math.round(full));
            }
        } else if (lane.unreachable) {
            if (lane.clearSince < 0) {
                lane.clearSince = now;
            }
            if (now - lane.clearSince >= HOLD.toNanos()) {
                lane.unreachable = false;
                log.info("batch.latency.target.ms={} can be met again for {}: batches of up to {} segments, linger {} ms",
                        target.toMillis(), version, lane.plan.maxRows(), lane.plan.lingerNanos() / 1_000_000);
            }
        }
        return lane.unreachable ? new Choice(fixedRows, fixedLingerNanos, false, full) : lane.plan;
    }

    /** the share of the time the workers are busy with batches of {@code rows} at {@code rate} rows per second */
    private static double utilisation(double rate, double computeMillis, int rows, int workers) {
        return rate * computeMillis / 1000 / ((double) workers * rows);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
