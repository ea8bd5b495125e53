package seq2seq.tools;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationResult;
import seq2seq.service.ClientProps;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.streams.PipelineSettings;
import seq2seq.streams.SerdeFactory;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The demo's reader: prints translations (with the model that made each) and dead letters as they arrive (committed
 * ones only, as any downstream reader sees them), and tells the demo when every id it sent has its answer.
 */
final class DemoPrinter implements AutoCloseable {
    /** ids sent and not yet answered */
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();
    private final PrintWriter out;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean stop;

    DemoPrinter(AppConfig config, int partitions, PrintWriter out) {
        this.out = out;
        PipelineSettings s = config.pipeline();
        String serde = config.get(Settings.SERDE_CLASS);
        Deserializer<TranslationResult> results = SerdeFactory.create(serde, TranslationResult.class, config.serdes()).deserializer();
        Deserializer<TranslationFailure> failures = SerdeFactory.create(serde, TranslationFailure.class, config.serdes()).deserializer();
        var props = ClientProps.consumer(config);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            parts.add(new TopicPartition(s.translationsTopic(), p));
            parts.add(new TopicPartition(s.failuresTopic(), p));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        thread = new Thread(() -> {
            try (consumer) {
                while (!stop) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        if (r.topic().equals(s.translationsTopic())) {
                            print(results.deserialize(r.topic(), r.headers(), r.value()));
                        } else {
                            String key = new String(r.key() == null ? new byte[0] : r.key(), StandardCharsets.UTF_8);
                            print(failures.deserialize(r.topic(), r.headers(), r.value()), key);
                        }
                    }
                }
            } catch (WakeupException e) {
                // stopping
            }
        }, "demo-printer");
        thread.setDaemon(true);
        thread.start();
    }

    /** The demo sent a request with this id; {@link #awaitAnswers} waits for it. */
    void expect(String id) {
        waiting.add(id);
    }

    /** Waits until every expected id is answered, at most {@code timeout}; says which ones were not. */
    void awaitAnswers(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        if (!waiting.isEmpty()) {
            out.println("  (no answer within " + timeout.toSeconds() + " s for " + waiting + ")");
        }
    }

    private void print(TranslationResult r) {
        out.printf("  [%s] %s%n  %s  => %s   (%s, %d ms%s)%n", r.getId(), oneLine(r.getSourceText()), " ".repeat(r.getId().length()),
                oneLine(r.getText()), r.getModel(), r.getLatencyMs(), r.getCached() ? ", from memory" : "");
        waiting.remove(r.getId());
    }

    private void print(TranslationFailure f, String key) {
        String id = f.getId() != null ? f.getId() : key;
        out.printf("  [%s] dead letter %s: %s%n", id, f.getError(), oneLine(f.getMessage()));
        waiting.remove(id);
    }

    private static String oneLine(String s) {
        String flat = s.replace('\n', ' ');
        return flat.length() > 160 ? flat.substring(0, 157) + "..." : flat;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        consumer.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(5));
    }
}
