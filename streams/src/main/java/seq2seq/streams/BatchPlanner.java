package seq2seq.streams;

import java.util.Locale;

/**
 * Which batch sizes keep a latency budget at a given load, from a model version's {@link BatchCostModel}: the
 * queueing estimate behind {@link LatencyTarget}, which decides what to do with it.
 * <p>
 * A batch of r rows takes t(r); with P workers and λ rows arriving per second the engines are busy a share
 * ρ(r) = λ·t(r) / (P·r) of the time. A segment's wait for a worker is taken as in a queue with deterministic service,
 * M/D/1: its mean wait is ρ/(2(1 − ρ))·t(r), and twice that, ρ/(1 − ρ)·t(r), is the allowance for a p99 target. So a
 * segment's wait and compute is t(r)/(1 − ρ), which grows without bound as the workers near saturation, where a
 * plain mean wait ρ·t(r) stays small and lets a load at the edge choose batches that cannot keep the target. A batch
 * size fits when t(r)/(1 − ρ) is within the budget and ρ ≤ {@value #MAX_UTILISATION}; its linger is what is left of
 * the budget, at most the fixed linger.
 */
final class BatchPlanner {
    /** the busiest the workers may be planned to be */
    static final double MAX_UTILISATION = 0.9;

    /** what linger, queue and compute may take, ms */
    private final double budgetMillis;
    /** batch.size: the largest batch, and the one served at full throughput */
    private final int fixedRows;
    /** batch.linger.ms: the longest linger */
    private final long fixedLingerNanos;

    BatchPlanner(double budgetMillis, int fixedRows, long fixedLingerNanos) {
        this.budgetMillis = budgetMillis;
        this.fixedRows = fixedRows;
        this.fixedLingerNanos = fixedLingerNanos;
    }

    /** The largest batch that fits at {@code rate} rows per second; {@link #full} (unreachable) if none does. */
    LatencyTarget.Choice largest(BatchCostModel cost, double rate, int workers) {
        for (int rows = fixedRows; rows >= 1; rows--) {
            LatencyTarget.Choice c = fit(cost, rows, rate, workers);
            if (c != null) {
                return c;
            }
        }
        return full(cost);
    }

    /** Batches of {@code rows} at {@code rate}, with the linger the budget leaves; null when they do not fit it. */
    LatencyTarget.Choice fit(BatchCostModel cost, int rows, double rate, int workers) {
        double compute = cost.predictMillis(rows);
        double busy = utilisation(rate, compute, rows, workers);
        if (busy > MAX_UTILISATION) {
            return null;
        }
        double needed = compute / (1 - busy);
        if (needed > budgetMillis) {
            return null;
        }
        return new LatencyTarget.Choice(rows, Math.min(fixedLingerNanos, (long) ((budgetMillis - needed) * 1e6)), true,
                compute);
    }

    /** full throughput, the target given up: batches of {@code batch.size}, the fixed linger */
    LatencyTarget.Choice full(BatchCostModel cost) {
        return new LatencyTarget.Choice(fixedRows, fixedLingerNanos, false, cost.predictMillis(fixedRows));
    }

    /** how long the last of {@code queuedRows} waits when they run in full batches and one of the rest, over the workers */
    double drainMillis(BatchCostModel cost, int queuedRows, int workers) {
        int rest = queuedRows % fixedRows;
        return (queuedRows / fixedRows * cost.predictMillis(fixedRows)
                + (rest == 0 ? 0 : cost.predictMillis(rest))) / workers;
    }

    /** why {@link #largest} found no batch size at {@code rate}, for the log */
    String whyNone(BatchCostModel cost, double rate, int workers) {
        double one = cost.predictMillis(1);
        if (one > budgetMillis) {
            return String.format(Locale.ROOT, "a batch of one segment is predicted to take %.0f ms", one);
        }
        double full = cost.predictMillis(fixedRows);
        return String.format(Locale.ROOT, "at %.0f segments/s no batch size fits (batches of %d are predicted to take "
                + "%.0f ms, the workers busy %.0f %% of the time)", rate, fixedRows, full,
                100 * utilisation(rate, full, fixedRows, workers));
    }

    /** the share of the time the workers are busy with batches of {@code rows} at {@code rate} rows per second */
    private static double utilisation(double rate, double computeMillis, int rows, int workers) {
        return rate * computeMillis / 1000 / ((double) workers * rows);
    }
}
