package seq2seq.tools.faults;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationResult;
import seq2seq.streams.serde.RegistryAvroSerde;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Every result and dead letter as a read_committed consumer sees them, read from the start of every partition to
 * its committed end (the last stable offset), once no transaction is open on any of them: nothing still in flight
 * could add to what is counted here. Not stopping at an expected count is the point: a late duplicate would show.
 */
final class CommittedOutcomes {
    /** one output: a result (reason null) or a dead letter (sourceText and modelVersion null) */
    record Outcome(String topic, int partition, String sourceText, boolean cached, String reason,
                   String modelVersion) {
    }

    /** id → every output carrying it */
    final Map<String, List<Outcome>> byId = new HashMap<>();
    /** outputs read in all */
    int records;

    private CommittedOutcomes() {
    }

    static CommittedOutcomes read(String bootstrapServers, String registryUrl, String translations, String failures,
                                  int partitions, Duration settle) throws InterruptedException {
        List<TopicPartition> all = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            all.add(new TopicPartition(translations, i));
            all.add(new TopicPartition(failures, i));
        }
        Map<TopicPartition, Long> end = settledEnds(bootstrapServers, all, settle);
        CommittedOutcomes out = new CommittedOutcomes();
        Map<String, Object> serde = Map.of("schema.registry.url", registryUrl);
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrapServers, "read_committed");
             var results = RegistryAvroSerde.of(TranslationResult.class, serde, false);
             var dead = RegistryAvroSerde.of(TranslationFailure.class, serde, false)) {
            c.assign(all);
            c.seekToBeginning(all);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!reached(c, end)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read to the committed end offsets " + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.records++;
                    Outcome o;
                    String id;
                    if (r.topic().equals(translations)) {
                        TranslationResult t = results.deserialize(r.topic(), r.value());
                        id = t.getId();
                        o = new Outcome(r.topic(), r.partition(), t.getSourceText(), t.getCached(), null,
                                t.getModelVersion());
                    } else {
                        TranslationFailure f = dead.deserialize(r.topic(), r.value());
                        id = f.getId() != null ? f.getId() : new String(r.key(), StandardCharsets.UTF_8);
                        o = new Outcome(r.topic(), r.partition(), null, false, f.getError() + ": " + f.getMessage(), null);
                    }
                    out.byId.computeIfAbsent(id, k -> new ArrayList<>()).add(o);
                }
            }
        }
        return out;
    }

    /**
     * The end offsets once every partition's last stable offset equals its log end (no transaction open, not even
     * one a killed instance left behind): waits up to {@code settle} for that.
     */
    private static Map<TopicPartition, Long> settledEnds(String bootstrapServers, List<TopicPartition> all, Duration settle)
            throws InterruptedException {
        long deadline = System.nanoTime() + settle.toNanos();
        try (KafkaConsumer<byte[], byte[]> committed = consumer(bootstrapServers, "read_committed");
             KafkaConsumer<byte[], byte[]> uncommitted = consumer(bootstrapServers, "read_uncommitted")) {
            while (true) {
                Map<TopicPartition, Long> stable = committed.endOffsets(all);
                Map<TopicPartition, Long> logEnd = uncommitted.endOffsets(all);
                if (stable.equals(logEnd)) {
                    return stable;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("transactions still open after " + settle.toSeconds() + " s: stable " + stable
                            + ", log end " + logEnd);
                }
                Thread.sleep(200);
            }
        }
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers, String isolation) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
