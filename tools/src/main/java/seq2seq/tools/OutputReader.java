package seq2seq.tools;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationResult;
import seq2seq.service.ClientProps;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.streams.SerdeFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Reads the output and dead-letter topics with read_committed, as a downstream consumer would, on a thread of its
 * own. Two ways, one per user:
 * <ul>
 *   <li>{@link #OutputReader(AppConfig, int) from the start}, keeping all it reads and counting it per request id (a
 *       dead letter without an id counts under its key): {@code bench --kafka} and the integration tests;</li>
 *   <li>{@link #fromEnd from the end} of the topics at the time it starts, keeping nothing and handing each record to
 *       a listener with the moment the poll that returned it came back: {@code bench --load}, which measures latency
 *       by that moment.</li>
 * </ul>
 */
public final class OutputReader implements AutoCloseable {
    /**
     * One record read: a translation or a dead letter (the other null), its request id (a dead letter's key when it
     * has none), its partition and {@link System#nanoTime()} when the poll that returned it came back.
     */
    public record Read(TranslationResult translation, TranslationFailure failure, String id, int partition, long seenNanos) {
    }

    /** id → how many records (translations plus dead letters) carried it; only when reading from the start */
    final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    final List<TranslationResult> translations = new CopyOnWriteArrayList<>();
    final List<TranslationFailure> failures = new CopyOnWriteArrayList<>();
    /** output partition → translations read from it */
    final Map<Integer, AtomicInteger> perPartition = new ConcurrentHashMap<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean stop;
    private volatile RuntimeException error;

    /** From the start of partitions 0 to {@code partitions} - 1 of both topics, keeping all it reads. */
    OutputReader(AppConfig config, int partitions) {
        this(config, partitions, null);
    }

    /** From the end of every partition of both topics as of now, handing each record to {@code listener}. */
    public static OutputReader fromEnd(AppConfig config, Consumer<Read> listener) {
        return new OutputReader(config, -1, listener);
    }

    /** @param partitions how many partitions to read from the start; -1: all, from the end */
    private OutputReader(AppConfig config, int partitions, Consumer<Read> listener) {
        var props = ClientProps.consumer(config);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100"); // a record is seen soon after it is readable
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        String serde = config.get(Settings.SERDE_CLASS);
        Deserializer<TranslationResult> results = SerdeFactory.create(serde, TranslationResult.class, config.serdes()).deserializer();
        Deserializer<TranslationFailure> dead = SerdeFactory.create(serde, TranslationFailure.class, config.serdes()).deserializer();
        String out = config.get(Settings.TRANSLATIONS_TOPIC);
        List<TopicPartition> parts = new ArrayList<>();
        for (String topic : List.of(out, config.get(Settings.FAILURES_TOPIC))) {
            if (partitions >= 0) {
                for (int p = 0; p < partitions; p++) {
                    parts.add(new TopicPartition(topic, p));
                }
                continue;
            }
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                consumer.close();
                throw new IllegalStateException("topic " + topic + " not found");
            }
            infos.forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
        }
        consumer.assign(parts);
        if (partitions >= 0) {
            consumer.seekToBeginning(parts);
        } else {
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position); // the seek happens now, before the caller sends anything
        }
        Consumer<Read> sink = listener != null ? listener : this::keep;
        thread = new Thread(() -> {
            try {
                while (!stop) {
                    ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                    long seenNanos = System.nanoTime(); // the moment these records became readable to this consumer
                    for (ConsumerRecord<byte[], byte[]> r : batch) {
                        if (r.topic().equals(out)) {
                            TranslationResult t = results.deserialize(r.topic(), r.headers(), r.value());
                            sink.accept(new Read(t, null, t.getId(), r.partition(), seenNanos));
                        } else {
                            TranslationFailure f = dead.deserialize(r.topic(), r.headers(), r.value());
                            String id = f.getId() != null ? f.getId() : new String(r.key(), StandardCharsets.UTF_8);
                            sink.accept(new Read(null, f, id, r.partition(), seenNanos));
                        }
                    }
                }
            } catch (WakeupException e) {
                // closing
            } catch (RuntimeException e) {
                error = e;
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }, "output-reader");
        thread.setDaemon(true);
        thread.start();
    }

    private void keep(Read r) {
        if (r.translation() != null) {
            translations.add(r.translation());
            perPartition.computeIfAbsent(r.partition(), k -> new AtomicInteger()).incrementAndGet();
        } else {
            failures.add(r.failure());
        }
        seen.computeIfAbsent(r.id(), k -> new AtomicInteger()).incrementAndGet();
    }

    /** records kept: translations plus dead letters */
    int records() {
        return translations.size() + failures.size();
    }

    /** Waits until {@code done} holds; false after {@code timeout}. Fails at once if the reader broke. */
    boolean await(BooleanSupplier done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            check();
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** Throws if the reader's thread failed. */
    public void check() {
        if (error != null) {
            throw new IllegalStateException("the output reader failed", error);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        consumer.wakeup();
        thread.join(10_000);
    }
}
