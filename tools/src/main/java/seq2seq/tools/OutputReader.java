package seq2seq.tools;

import seq2seq.service.ClientProps;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationResult;
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

/**
 * Reads the output and dead-letter topics from the start with read_committed, as a downstream consumer would, in
 * the background, and counts what it sees per request id (a dead letter without an id counts under its key).
 * Used by `bench --kafka` and the integration tests.
 */
final class OutputReader implements AutoCloseable {
    /** id → how many records (translations plus dead letters) carried it */
    final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    final List<TranslationResult> translations = new CopyOnWriteArrayList<>();
    final List<TranslationFailure> failures = new CopyOnWriteArrayList<>();
    /** output partition → translations read from it */
    final Map<Integer, AtomicInteger> perPartition = new ConcurrentHashMap<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean stop;
    private volatile RuntimeException error;

    OutputReader(AppConfig config, int partitions) {
        var props = ClientProps.consumer(config);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        String serde = config.get(Settings.SERDE_CLASS);
        Deserializer<TranslationResult> results = SerdeFactory.create(serde, TranslationResult.class, config.serdes()).deserializer();
        Deserializer<TranslationFailure> dead = SerdeFactory.create(serde, TranslationFailure.class, config.serdes()).deserializer();
        String out = config.get(Settings.TRANSLATIONS_TOPIC);
        List<TopicPartition> parts = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            parts.add(new TopicPartition(out, p));
            parts.add(new TopicPartition(config.get(Settings.FAILURES_TOPIC), p));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        thread = new Thread(() -> {
            try {
                while (!stop) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        String id;
                        if (r.topic().equals(out)) {
                            TranslationResult t = results.deserialize(r.topic(), r.headers(), r.value());
                            translations.add(t);
                            perPartition.computeIfAbsent(r.partition(), k -> new AtomicInteger()).incrementAndGet();
                            id = t.getId();
                        } else {
                            TranslationFailure f = dead.deserialize(r.topic(), r.headers(), r.value());
                            failures.add(f);
                            id = f.getId() != null ? f.getId() : new String(r.key(), StandardCharsets.UTF_8);
                        }
                        seen.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
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

    int records() {
        return translations.size() + failures.size();
    }

    /** Waits until {@code done} holds; false after {@code timeout}. Fails at once if the reader broke. */
    boolean await(BooleanSupplier done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (error != null) {
                throw new IllegalStateException("the output reader failed", error);
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        consumer.wakeup();
        thread.join(10_000);
    }
}
