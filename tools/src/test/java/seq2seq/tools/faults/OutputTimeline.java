package seq2seq.tools.faults;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * When each output became visible to a downstream reader: a read_committed consumer of the results and the dead
 * letters in the background, noting for each record its partition, its key (the request id) and the moment it was
 * read. Availability is measured on it. It reads keys only, so it keeps working while the registry is down.
 */
final class OutputTimeline implements AutoCloseable {
    /** one output as it became visible */
    record Seen(String topic, int partition, long offset, String id, long atNanos) {
    }

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final Set<String> ids = ConcurrentHashMap.newKeySet();
    private final String bootstrapServers;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean stop;
    private volatile RuntimeException error;

    OutputTimeline(String bootstrapServers, Collection<String> topics, int partitions) {
        this.bootstrapServers = bootstrapServers;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> all = new ArrayList<>();
        topics.forEach(t -> {
            for (int i = 0; i < partitions; i++) {
                all.add(new TopicPartition(t, i));
            }
        });
        consumer.assign(all);
        consumer.seekToBeginning(all);
        thread = new Thread(this::run, "output-timeline");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!stop) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    String id = new String(r.key(), StandardCharsets.UTF_8);
                    seen.add(new Seen(r.topic(), r.partition(), r.offset(), id, System.nanoTime()));
                    ids.add(id);
                }
            }
        } catch (WakeupException closing) {
            // close() was called
        } catch (RuntimeException e) {
            error = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Outputs of these partitions that became visible after {@code sinceNanos}. */
    long countSince(long sinceNanos, Set<Integer> partitions) {
        check();
        return seen.stream().filter(s -> s.atNanos() > sinceNanos && partitions.contains(s.partition())).count();
    }

    /** The moment the first output of {@code partitions} became visible after {@code sinceNanos}; -1 if none yet. */
    long firstSince(long sinceNanos, Set<Integer> partitions) {
        check();
        return seen.stream().filter(s -> s.atNanos() > sinceNanos && partitions.contains(s.partition()))
                .mapToLong(Seen::atNanos).min().orElse(-1);
    }

    /**
     * The committed ends (last stable offsets) of these partitions of {@code topic} now: an output at or past them
     * was committed after this call, however late this reader gets to it.
     */
    Map<Integer, Long> committedEnds(String topic, Set<Integer> partitions) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Map<Integer, Long> ends = new TreeMap<>();
            c.endOffsets(partitions.stream().map(i -> new TopicPartition(topic, i)).toList())
                    .forEach((tp, end) -> ends.put(tp.partition(), end));
            return ends;
        }
    }

    /**
     * The moment the first output of {@code topic} at or past {@code ends} for an id that {@code ids} accepts became
     * visible; -1 if none yet.
     */
    long firstPast(String topic, Map<Integer, Long> ends, java.util.function.Predicate<String> ids) {
        check();
        return seen.stream().filter(s -> s.topic().equals(topic) && ends.containsKey(s.partition())
                        && s.offset() >= ends.get(s.partition()) && ids.test(s.id()))
                .mapToLong(Seen::atNanos).min().orElse(-1);
    }

    /** The longest time without any new visible output between {@code fromNanos} and {@code toNanos}. */
    long longestGapNanos(long fromNanos, long toNanos) {
        check();
        long last = fromNanos;
        long gap = 0;
        for (long t : seen.stream().mapToLong(Seen::atNanos).filter(t -> t > fromNanos && t <= toNanos).sorted().toArray()) {
            gap = Math.max(gap, t - last);
            last = t;
        }
        return Math.max(gap, toNanos - last);
    }

    /** Fails if the reader broke. */
    void check() {
        if (error != null) {
            throw new IllegalStateException("the output timeline reader failed", error);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        consumer.wakeup();
        thread.join(10_000);
    }
}
