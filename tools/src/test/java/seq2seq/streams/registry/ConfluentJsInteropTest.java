package seq2seq.streams.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import seq2seq.avro.TranslationRequest;
import seq2seq.streams.serde.RegistryAvroSerde;
import seq2seq.testing.EmbeddedCluster;
import seq2seq.testing.NodeProcess;

/**
 * Confluent's own JavaScript clients (@confluentinc/schemaregistry's Avro serde + kafkajs) and this project's serde
 * read each other's records through the embedded registry, in both directions.
 */
@Timeout(240)
class ConfluentJsInteropTest {
    @RegisterExtension
    static final EmbeddedCluster CLUSTER = EmbeddedCluster.brokers(1).withRegistry();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void topics() {
        CLUSTER.createTopics(2, "js-to-java", "java-to-js");
    }

    RegistryAvroSerde<TranslationRequest> serde() {
        return RegistryAvroSerde.of(TranslationRequest.class, Map.of("schema.registry.url", CLUSTER.registryUrl()), false);
    }

    static final String[] TEXTS = {"Hello world.", "Grüße aus Köln", "emoji 😀 and 中文", "", "right-to-left שלום",
            "quotes \" and \\ backslash", "a\tb\nc"};

    @Test
    void javaReadsWhatConfluentsJsSerializerWrote() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < TEXTS.length; i++) {
            ObjectNode v = JSON.createObjectNode().put("id", "js-" + i).put("text", TEXTS[i]);
            v.put("source_lang", "en").putNull("target_lang").putNull("model").putNull("options");
            v.putObject("attributes").put("n", String.valueOf(i));
            v.put("created_at", 1_700_000_000_000L + i);
            lines.add(JSON.createObjectNode().put("key", "k" + i).set("value", v).toString());
        }
        List<JsonNode> out = NodeProcess.run("interop.mjs", lines, 120, "produce", CLUSTER.bootstrapServers(), CLUSTER.registryUrl(),
                "js-to-java", java.nio.file.Path.of("schemas/TranslationRequest.avsc").toAbsolutePath().toString());
        assertEquals(TEXTS.length, out.get(0).get("produced").asInt());

        Map<String, TranslationRequest> got = new HashMap<>();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, CLUSTER.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "interop-java");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, TranslationRequest> c = new KafkaConsumer<>(p, new StringDeserializer(), serde())) {
            c.subscribe(List.of("js-to-java"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (got.size() < TEXTS.length && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, TranslationRequest> r : c.poll(Duration.ofMillis(200))) {
                    got.put(r.key(), r.value());
                }
            }
        }
        assertEquals(TEXTS.length, got.size());
        for (int i = 0; i < TEXTS.length; i++) {
            TranslationRequest r = got.get("k" + i);
            assertEquals("js-" + i, r.getId());
            assertEquals(TEXTS[i], r.getText());
            assertEquals("en", r.getSourceLang());
            assertEquals(Map.of("n", String.valueOf(i)), r.getAttributes());
            assertEquals(1_700_000_000_000L + i, r.getCreatedAt().toEpochMilli());
        }
    }

    @Test
    void confluentsJsDeserializerReadsWhatJavaWrote() throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, CLUSTER.bootstrapServers());
        try (KafkaProducer<String, TranslationRequest> producer = new KafkaProducer<>(p, new StringSerializer(), serde())) {
            for (int i = 0; i < TEXTS.length; i++) {
                producer.send(new ProducerRecord<>("java-to-js", "k" + i, TranslationRequest.newBuilder().setId("java-" + i)
                        .setText(TEXTS[i]).setTargetLang("de").setAttributes(Map.of("n", String.valueOf(i))).build()))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        List<JsonNode> rows = NodeProcess.run("interop.mjs", List.of(), 120, "consume", CLUSTER.bootstrapServers(),
                CLUSTER.registryUrl(), "java-to-js", String.valueOf(TEXTS.length), "60000");
        assertEquals(TEXTS.length, rows.size());
        for (JsonNode row : rows) {
            int i = Integer.parseInt(row.get("key").asText().substring(1));
            JsonNode v = row.get("value");
            assertEquals("java-" + i, v.get("id").asText());
            assertEquals(TEXTS[i], v.get("text").asText());
            assertEquals("de", v.get("target_lang").asText(), v.toString());
            assertTrue(v.get("source_lang").isNull());
            assertEquals(String.valueOf(i), v.get("attributes").get("n").asText());
        }
    }
}
