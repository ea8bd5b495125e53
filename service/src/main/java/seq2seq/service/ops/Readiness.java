package seq2seq.service.ops;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.StateRestoreListener;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether this instance is ready, in two strengths, fed by the app as things start:
 * <ul>
 *   <li>{@link #check()} ({@code /health/ready}, what orchestrators probe): the models are loaded and Kafka Streams
 *       is running or rebalancing. A rebalance is group-wide: were it unready then, every instance would turn
 *       unready at once and an orchestrator would see the whole group down, and a rolling restart would stall on
 *       the rebalance that each restart itself causes.</li>
 *   <li>{@link #checkRunning()} ({@code /health/running}): also RUNNING with no store being restored from its
 *       changelog, i.e. processing at full speed now; for a test or an operator waiting for a rebalance to settle.</li>
 * </ul>
 */
public final class Readiness {
    /**
     * @param ready   true when the instance is ready
     * @param reason  why not (or "ready"), for the response body
     */
    public record Verdict(boolean ready, String reason) {
    }

    /** a loaded model's name, once one is loaded (all are loaded before Kafka Streams starts) */
    private volatile String model;
    /** the Kafka Streams client, once built */
    private volatile KafkaStreams streams;
    /** store partitions being restored right now ("store@topic-partition") */
    private final Set<String> restoring = ConcurrentHashMap.newKeySet();
    /** set once shutdown has begun */
    private volatile boolean stopping;

    public void modelLoaded(String name) {
        this.model = name;
    }

    public void streams(KafkaStreams streams) {
        this.streams = streams;
    }

    public void stopping() {
        this.stopping = true;
    }

    /** Ready to be part of the group: models loaded, Kafka Streams running or rebalancing. */
    public Verdict check() {
        if (stopping) {
            return new Verdict(false, "shutting down");
        }
        if (model == null) {
            return new Verdict(false, "model not loaded yet");
        }
        KafkaStreams s = streams;
        if (s == null) {
            return new Verdict(false, "Kafka Streams not started yet");
        }
        KafkaStreams.State state = s.state();
        if (!state.isRunningOrRebalancing()) {
            return new Verdict(false, "Kafka Streams is " + state);
        }
        return new Verdict(true, state == KafkaStreams.State.RUNNING ? "ready" : "ready (Kafka Streams is " + state + ")");
    }

    /** {@link #check()}, and Kafka Streams RUNNING with no state being restored. */
    public Verdict checkRunning() {
        Verdict v = check();
        if (!v.ready()) {
            return v;
        }
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING) {
            return new Verdict(false, "Kafka Streams is " + state + (state == KafkaStreams.State.REBALANCING
                    ? " (partitions are being assigned or state restored)" : ""));
        }
        if (!restoring.isEmpty()) {
            return new Verdict(false, "restoring state: " + String.join(", ", new java.util.TreeSet<>(restoring)));
        }
        return new Verdict(true, "running");
    }

    /** Store partitions being restored now (for the status page). */
    public Set<String> restoring() {
        return Set.copyOf(restoring);
    }

    /**
     * Kafka Streams allows one global restore listener: install this one before start
     * ({@link KafkaStreams#setGlobalStateRestoreListener}).
     */
    public StateRestoreListener restoreListener() {
        return new StateRestoreListener() {
            @Override
            public void onRestoreStart(TopicPartition partition, String store, long startOffset, long endOffset) {
                restoring.add(store + "@" + partition);
            }

            @Override
            public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long restored) {
            }

            @Override
            public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
                restoring.remove(store + "@" + partition);
            }

            @Override
            public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
                restoring.remove(store + "@" + partition);
            }
        };
    }
}
