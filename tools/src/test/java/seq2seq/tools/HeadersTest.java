package seq2seq.tools;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.avro.TranslationRequest;
import seq2seq.generation.Engine;
import seq2seq.service.ClientProps;
import seq2seq.service.EngineLoader;
import seq2seq.service.PipelineService;
import seq2seq.service.Topics;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.streams.PipelineEvents;
import seq2seq.streams.SerdeFactory;
import seq2seq.tools.embedded.EmbeddedKafka;
import seq2seq.tools.embedded.EmbeddedRegistry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request's headers on the real topics: the allowed ones (traceparent always, request.headers) reach its result,
 * its dead letter from the pipeline, and the dead letter of a record that cannot be decoded; others do not.
 */
@Timeout(180)
class HeadersTest {
    static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @TempDir
    Path dir;

    @Test
    void allowedHeadersTravelToResultsAndDeadLetters() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(1);
             EmbeddedRegistry registry = EmbeddedRegistry.start(kafka.bootstrapServers())) {
            AppConfig config = onePartition(kafka, registry, "headers-test", dir, Map.of());
            String topic = config.pipeline().requestsTopic();
            Serializer<TranslationRequest> ser = requests(config);
            try (Engine engine = EngineLoader.load(FailoverTest.TINY_MODEL, config);
                 PipelineService service = new PipelineService(config, engine, PipelineEvents.NONE);
                 KafkaProducer<byte[], byte[]> producer = FailoverTest.producer(config)) {
                service.start();
                send(producer, topic, "good", ser.serialize(topic, request("good", "The house is small.")), TRACEPARENT);
                send(producer, topic, "too-long", ser.serialize(topic, request("too-long", "x".repeat(101))), TRACEPARENT);
                send(producer, topic, "garbage", "not a request".getBytes(StandardCharsets.UTF_8), TRACEPARENT);
                producer.flush();
                Map<String, Map<String, String>> headersByKey = read(config, 3);
                assertEquals(3, headersByKey.size(), "one output per input: " + headersByKey.keySet());
                for (String key : List.of("good", "too-long", "garbage")) {
                    Map<String, String> h = headersByKey.get(key);
                    assertEquals(TRACEPARENT, h.get("traceparent"), key + ": traceparent");
                    assertEquals("corr-" + key, h.get("x-correlation-id"), key + ": x-correlation-id");
                    assertTrue(!h.containsKey("x-secret"), key + ": a header not on the allow-list stays behind: " + h);
                }
            }
        }
    }

    /**
     * The configuration of one instance on {@code kafka} with the tiny model, its state in {@code dir}, texts over 100
     * characters dead-lettered, plus {@code more}; its topics created with one partition each.
     */
    static AppConfig onePartition(EmbeddedKafka kafka, EmbeddedRegistry registry, String appId, Path dir,
                                  Map<String, String> more) {
        Map<String, String> c = new HashMap<>(more);
        c.put("kafka.state.dir", dir.resolve("state").toString());
        c.put(Settings.MAX_TEXT_CHARS.name(), "100");
        AppConfig config = AppConfig.of(FailoverTest.sharedConfig(kafka, registry, appId)).with(c);
        Topics.create(kafka.bootstrapServers(), config.pipeline(), 1, (short) 1);
        return config;
    }

    /** The serializer of the requests topic's values. */
    static Serializer<TranslationRequest> requests(AppConfig config) {
        return SerdeFactory.create(config.get(Settings.SERDE_CLASS), TranslationRequest.class, config.serdes()).serializer();
    }

    static TranslationRequest request(String id, String text) {
        return TranslationRequest.newBuilder().setId(id).setText(text).setAttributes(Map.of()).build();
    }

    /** Sends a request with a {@code traceparent}, an allowed {@code x-correlation-id} ("corr-" + key) and a header not allowed. */
    static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value, String traceparent) {
        List<Header> headers = List.of(
                new RecordHeader("traceparent", traceparent.getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("x-correlation-id", ("corr-" + key).getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("x-secret", "do not copy".getBytes(StandardCharsets.UTF_8)));
        producer.send(new ProducerRecord<>(topic, null, key.getBytes(StandardCharsets.UTF_8), value, headers));
    }

    /** key → header name → value, of the committed results and dead letters, until {@code n} records came. */
    static Map<String, Map<String, String>> read(AppConfig config, int n) {
        var props = ClientProps.consumer(config);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, Map<String, String>> out = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>(List.of(new TopicPartition(config.pipeline().translationsTopic(), 0),
                    new TopicPartition(config.pipeline().failuresTopic(), 0)));
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    Map<String, String> h = new HashMap<>();
                    r.headers().forEach(x -> h.put(x.key(), new String(x.value(), StandardCharsets.UTF_8)));
                    out.put(new String(r.key(), StandardCharsets.UTF_8), h);
                }
            }
        }
        return out;
    }
}
