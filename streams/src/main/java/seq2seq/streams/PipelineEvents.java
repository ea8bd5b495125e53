package seq2seq.streams;

import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationResult;

/**
 * What the pipeline reports as it works, for metrics and the status page. Called on stream threads and on the
 * batcher's thread: implementations must be thread-safe and fast. Every method does nothing by default.
 */
public interface PipelineEvents {
    PipelineEvents NONE = new PipelineEvents() {
    };

    /** a request was read from the input topic (before any check) */
    default void received() {
    }

    /** a translation was forwarded to the output topic */
    default void translated(TranslationResult result) {
    }

    /** an input record was forwarded to the dead-letter topic */
    default void deadLettered(FailureReason reason) {
    }

    /** one segment was looked up in the translation memory */
    default void memoryLookup(boolean hit) {
    }

    /** a request was answered entirely from the memory with nothing buffered ahead of it, {@code nanos} after it was read */
    default void servedFromMemory(long nanos) {
    }

    /** the engine finished one batch of {@code model}'s */
    default void batchDone(String model, int segments, int estimatedTokens, long nanos) {
    }

    /**
     * the latency target's choice for {@code model} changed: the largest batch it cuts, how long a partition may hold
     * segments before handing them over, and whether the target can be met (when not, it serves full batches)
     */
    default void batchTargetChosen(String model, int maxSegments, long lingerNanos, boolean reachable) {
    }

    /** a batch of {@code model}'s whose compute time the latency target had predicted as {@code nanos} finished */
    default void batchPredicted(String model, long nanos) {
    }

    /**
     * a shadow version of {@code model} translated a segment the serving version had translated: whether the two agree
     * exactly, and the shadow's chrF against the serving version's output
     */
    default void shadowCompared(String model, String shadowVersion, boolean exact, double chrf) {
    }

    /**
     * {@code model} is about to send a share of its requests to the canary {@code version}, or to change that share:
     * what the canary answers from now on is its measured share
     */
    default void canaryStarted(String model, String version) {
    }

    /** a segment of {@code model}'s waited {@code nanos} in the batcher's queue before its batch started */
    default void queueWait(String model, long nanos) {
    }

    /** a partition holding {@code batch.max.pending} requests waited {@code nanos} for results (back-pressure) */
    default void backPressureWait(long nanos) {
    }
}
