package seq2seq.tools.load;

import org.HdrHistogram.Histogram;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the translations and dead letters with read_committed, as a downstream consumer would, from the end of the
 * topics at the time it starts, and matches each to the request it answers by id: the latency is the time the poll
 * that returned it came back minus the request's scheduled send time (System.nanoTime on both sides).
 */
final class ResultReader implements AutoCloseable {
    /** One step's requests and what came back for them. Written by the reader's thread, read after the drain. */
    static final class Step {
        final long windowStart;
        final long windowEnd;
        final Histogram latencyMicros = new Histogram(3_600_000_000L, 3);
        private final List<Long> answerNanos = new ArrayList<>();
        private int answered;
        private int failed;
        private int measuredAnswered;
        private int measuredFailed;
        private int inWindow;
        private int sendErrors;

        Step(long windowStart, long windowEnd) {
            this.windowStart = windowStart;
            this.windowEnd = windowEnd;
        }

        synchronized void answer(long scheduled, long seen, boolean measured, boolean failure) {
            answered++;
            answerNanos.add(seen);
            if (failure) {
                failed++;
            }
            if (seen >= windowStart && seen < windowEnd) {
                inWindow++;
            }
            if (measured) {
                measuredAnswered++;
                if (failure) {
                    measuredFailed++;
                }
                latencyMicros.recordValue(Math.min(latencyMicros.getHighestTrackableValue(), Math.max(0, (seen - scheduled) / 1000)));
            }
        }

        synchronized void sendError() {
            sendErrors++;
        }

        /** requests settled: answered or not written */
        synchronized int settled() {
            return answered + sendErrors;
        }

        synchronized int answered() {
            return answered;
        }

        synchronized int measuredAnswered() {
            return measuredAnswered;
        }

        synchronized int measuredFailed() {
            return measuredFailed;
        }

        synchronized int inWindow() {
            return inWindow;
        }

        synchronized int sendErrors() {
            return sendErrors;
        }

        synchronized long[] answerNanos() {
            return answerNanos.stream().mapToLong(Long::longValue).toArray();
        }
    }

    private record Pending(Step step, long scheduledNanos, boolean measured) {
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean stop;
    private volatile RuntimeException error;

    ResultReader(AppConfig config) {
        var props = ClientProps.consumer(config);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        String serde = config.get(Settings.SERDE_CLASS);
        Deserializer<TranslationResult> results = SerdeFactory.create(serde, TranslationResult.class, config.serdes()).deserializer();
        Deserializer<TranslationFailure> dead = SerdeFactory.create(serde, TranslationFailure.class, config.serdes()).deserializer();
        String out = config.get(Settings.TRANSLATIONS_TOPIC);
        List<TopicPartition> parts = new ArrayList<>();
        for (String topic : List.of(out, config.get(Settings.FAILURES_TOPIC))) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                consumer.close();
                throw new IllegalStateException("topic " + topic + " not found");
            }
            infos.forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
        }
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        parts.forEach(consumer::position); // the seek happens now, before the first request is sent
        thread = new Thread(() -> {
            try {
                while (!stop) {
                    ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                    long seen = System.nanoTime(); // the moment these records became readable to this consumer
                    for (ConsumerRecord<byte[], byte[]> r : batch) {
                        boolean failure = !r.topic().equals(out);
                        String id = failure ? dead.deserialize(r.topic(), r.headers(), r.value()).getId()
                                : results.deserialize(r.topic(), r.headers(), r.value()).getId();
                        Pending p = id == null ? null : pending.remove(id);
                        if (p != null) {
                            p.step.answer(p.scheduledNanos, seen, p.measured, failure);
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
        }, "load-result-reader");
        thread.setDaemon(true);
        thread.start();
    }

    /** Registers a request before it is sent. */
    void expect(String id, Step step, long scheduledNanos, boolean measured) {
        pending.put(id, new Pending(step, scheduledNanos, measured));
    }

    /** The producer could not write it. */
    void failed(String id) {
        Pending p = pending.remove(id);
        if (p != null) {
            p.step.sendError();
        }
    }

    /** Forgets the step's requests still unanswered (answers after this are not counted). */
    void forget(Step step) {
        pending.values().removeIf(p -> p.step == step);
    }

    void check() {
        if (error != null) {
            throw new IllegalStateException("the result reader failed", error);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        consumer.wakeup();
        thread.join(10_000);
    }
}
