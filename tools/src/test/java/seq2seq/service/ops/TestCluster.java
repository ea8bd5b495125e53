package seq2seq.service.ops;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import seq2seq.service.Topics;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.tools.embedded.EmbeddedKafka;
import seq2seq.tools.embedded.EmbeddedRegistry;
import seq2seq.avro.TranslationRequest;
import seq2seq.streams.serde.RegistryAvroSerde;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** One in-process KRaft broker, the embedded registry and the pipeline's topics, with helpers to feed and read them. */
final class TestCluster implements AutoCloseable {
    /** the tiny test bundle (-Dtiny.bundle=DIR points elsewhere) */
    static final Path TINY = Path.of(System.getProperty("tiny.bundle", "testdata/models/tiny")).toAbsolutePath();

    /** the broker */
    final EmbeddedKafka kafka;
    /** the schema registry */
    final EmbeddedRegistry registry;
    /** the defaults, pointed at this cluster */
    final AppConfig base;

    private TestCluster(EmbeddedKafka kafka, EmbeddedRegistry registry, AppConfig base) {
        this.kafka = kafka;
        this.registry = registry;
        this.base = base;
    }

    static TestCluster start(int partitions) {
        EmbeddedKafka kafka = EmbeddedKafka.start(1);
        EmbeddedRegistry registry = EmbeddedRegistry.start(kafka.bootstrapServers());
        AppConfig base = AppConfig.of(Map.of(
                Settings.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers(),
                Settings.REGISTRY_URL.name(), registry.url(),
                Settings.REPLICATION_FACTOR.name(), "1",
                Settings.MODEL_DIR.name(), TINY.toString(),
                Settings.OPS_PORT.name(), "0"));
        Topics.create(kafka.bootstrapServers(), base.pipeline(), partitions, (short) 1);
        return new TestCluster(kafka, registry, base);
    }

    /** Settings for one instance of application {@code appId}, with its own state folder. */
    AppConfig instance(String appId, Map<String, String> more) throws Exception {
        Map<String, String> v = new HashMap<>(more);
        v.put(Settings.APPLICATION_ID.name(), appId);
        v.put(Settings.KAFKA_PREFIX + "state.dir", Files.createTempDirectory("s2s-state-").toString());
        return base.with(v);
    }

    /** Writes requests keyed by id, created now; returns their ids. */
    List<String> produce(List<String> texts) {
        return produce(texts, false);
    }

    /**
     * Writes requests created now; returns their ids.
     *
     * @param keyByText  key each record by its text (so a repeated text lands on the partition that remembers it),
     *                   else by its id
     */
    List<String> produce(List<String> texts, boolean keyByText) {
        List<String> ids = new ArrayList<>();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (Serializer<TranslationRequest> values = RegistryAvroSerde.of(TranslationRequest.class,
                Map.of("schema.registry.url", registry.url()), false).serializer();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                     new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (String text : texts) {
                String id = UUID.randomUUID().toString();
                TranslationRequest r = TranslationRequest.newBuilder().setId(id).setText(text).setSourceLang(null)
                        .setTargetLang(null).setModel(null).setOptions(null).setAttributes(Map.of())
                        .setCreatedAt(Instant.now()).build();
                producer.send(new ProducerRecord<>(base.pipeline().requestsTopic(), keyByText ? text : id, values.serialize(base.pipeline().requestsTopic(), r)));
                ids.add(id);
            }
            producer.flush();
        }
        return ids;
    }

    /** Writes these requests, keyed by id. */
    void produceRequests(List<TranslationRequest> requests) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (Serializer<TranslationRequest> values = RegistryAvroSerde.of(TranslationRequest.class,
                Map.of("schema.registry.url", registry.url()), false).serializer();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                     new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (TranslationRequest r : requests) {
                producer.send(new ProducerRecord<>(base.pipeline().requestsTopic(), r.getId(),
                        values.serialize(base.pipeline().requestsTopic(), r)));
            }
            producer.flush();
        }
    }

    /** A read_committed consumer of the output and dead-letter topics, from the beginning. */
    KafkaConsumer<String, byte[]> outputReader() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new org.apache.kafka.common.serialization.StringDeserializer(),
                new ByteArrayDeserializer());
        c.subscribe(List.of(base.pipeline().translationsTopic(), base.pipeline().failuresTopic()));
        return c;
    }

    /** Reads keys from {@code reader} into {@code seen} until {@code done} holds or the time is up. */
    static void readUntil(KafkaConsumer<String, byte[]> reader, List<ConsumerRecord<String, byte[]>> seen,
                          Predicate<List<ConsumerRecord<String, byte[]>>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(seen)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " with " + seen.size() + " outputs read");
            }
            reader.poll(Duration.ofMillis(200)).forEach(seen::add);
        }
    }

    /** Polls {@code condition} every 20 ms until it holds; fails with {@code what} after the timeout. */
    static void await(String what, Duration timeout, java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    @Override
    public void close() {
        registry.close();
        kafka.close();
    }
}
