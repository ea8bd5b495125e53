package seq2seq.tools.load;

import seq2seq.streams.PipelineEvents;

/**
 * The engine batches of an in-process instance, added up so that a load step can report the batches it caused: how
 * many, their segments and their compute time (the first target compares p99 with one batch's time).
 */
final class BatchTally implements PipelineEvents {
    /** batches, segments and compute nanos so far; a step's are the difference of two */
    record Totals(long batches, long segments, long nanos) {
        Totals since(Totals before) {
            return new Totals(batches - before.batches, segments - before.segments, nanos - before.nanos);
        }

        /** mean compute time of a batch, ms; NaN without batches */
        double meanBatchMs() {
            return batches == 0 ? Double.NaN : nanos / 1e6 / batches;
        }

        /** mean segments of a batch; NaN without batches */
        double meanBatchSegments() {
            return batches == 0 ? Double.NaN : segments / (double) batches;
        }
    }

    private long batches;
    private long segments;
    private long nanos;

    @Override
    public synchronized void batchDone(String model, int segments, int estimatedTokens, long nanos) {
        this.batches++;
        this.segments += segments;
        this.nanos += nanos;
    }

    synchronized Totals totals() {
        return new Totals(batches, segments, nanos);
    }
}
