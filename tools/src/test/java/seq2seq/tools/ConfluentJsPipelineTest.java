package seq2seq.tools;

import seq2seq.service.Topics;
import seq2seq.service.PipelineService;

import static seq2seq.testing.Bytes.indexOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import seq2seq.service.config.AppConfig;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.generation.TranslationTask;
import seq2seq.streams.PipelineEvents;
import seq2seq.streams.PipelineSettings;
import seq2seq.streams.serde.RegistryAvroSerde;
import seq2seq.testing.EmbeddedCluster;
import seq2seq.testing.NodeProcess;

/**
 * The whole pipeline between Confluent's own JavaScript clients: @confluentinc/schemaregistry's Avro serializer and
 * kafkajs produce TranslationRequests through the embedded registry, the Java pipeline (real broker, tiny model)
 * translates them, and the same library's Avro deserializer reads the TranslationResults and the dead letters.
 * Among the requests is the hostile one that avsc itself makes: a lone surrogate, written as the bytes ED A0 80.
 */
@Timeout(300)
class ConfluentJsPipelineTest {
    static final String REQUESTS = "js-requests";
    static final String TRANSLATIONS = "js-translations";
    static final String FAILURES = "js-failures";
    static final int MAX_TEXT_CHARS = 200;
    /** Escapes every non-ASCII char, so a lone surrogate reaches Node as a JSON "\ud800" escape, not as '?'. */
    static final ObjectMapper ASCII_JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    @RegisterExtension
    static final EmbeddedCluster CLUSTER = EmbeddedCluster.brokers(1).withRegistry();
    static Engine engine;
    static PipelineService service;
    static Path stateDir;

    @BeforeAll
    static void start() throws Exception {
        NodeProcess.ensureInstalled();
        stateDir = Files.createTempDirectory("s2s-js-pipeline-");
        AppConfig config = AppConfig.of(Map.of(
                "kafka.bootstrap.servers", CLUSTER.bootstrapServers(),
                "kafka.application.id", "js-pipeline-test",
                "kafka.replication.factor", "1",
                "kafka.state.dir", stateDir.toString(),
                "registry.url", CLUSTER.registryUrl(),
                "topic.requests", REQUESTS,
                "topic.translations", TRANSLATIONS,
                "topic.failures", FAILURES,
                "text.max.chars", String.valueOf(MAX_TEXT_CHARS)));
        PipelineSettings settings = config.pipeline();
        Topics.create(CLUSTER.bootstrapServers(), settings, 2, (short) 1);
        engine = Engine.load(Path.of("testdata/models/tiny"), EngineOptions.defaults());
        service = new PipelineService(config, engine, PipelineEvents.NONE).start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close(Duration.ofSeconds(20));
        }
        if (engine != null) {
            engine.close();
        }
    }

    /** What the JS producer sends: id → text; the last three must end up as dead letters. */
    static Map<String, String> requests() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("ok-0", "Hello world.");
        m.put("ok-1", "The house is small.");
        m.put("ok-2", "Grüße aus Köln 😀");
        m.put("ok-3", "");
        m.put("ok-4", "Hello world.");
        m.put("ok-5", "right-to-left שלום and 中文");
        m.put("bad-surrogate", "broken \uD800 text");
        m.put("bad-long", "x".repeat(MAX_TEXT_CHARS + 1));
        return m;
    }

    @Test
    void confluentsJsClientsTalkToThePipelineBothWays() throws Exception {
        Map<String, String> sent = requests();
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, String> e : sent.entrySet()) {
            ObjectNode v = ASCII_JSON.createObjectNode().put("id", e.getKey()).put("text", e.getValue());
            v.put("source_lang", "en").put("target_lang", "de").putNull("model").putNull("options");
            v.putObject("attributes").put("origin", "kafkajs");
            v.put("created_at", 1_700_000_000_000L);
            lines.add(ASCII_JSON.writeValueAsString(ASCII_JSON.createObjectNode().put("key", "key-" + e.getKey()).set("value", v)));
        }
        List<JsonNode> produced = NodeProcess.run("interop.mjs", lines, 120, "produce", CLUSTER.bootstrapServers(),
                CLUSTER.registryUrl(), REQUESTS, Path.of("schemas/TranslationRequest.avsc").toAbsolutePath().toString());
        assertEquals(sent.size(), produced.get(0).get("produced").asInt());

        long good = sent.keySet().stream().filter(k -> k.startsWith("ok-")).count();
        List<JsonNode> results = NodeProcess.run("interop.mjs", List.of(), 150, "consume", CLUSTER.bootstrapServers(),
                CLUSTER.registryUrl(), TRANSLATIONS, String.valueOf(good), "120000");
        List<JsonNode> failures = NodeProcess.run("interop.mjs", List.of(), 150, "consume", CLUSTER.bootstrapServers(),
                CLUSTER.registryUrl(), FAILURES, String.valueOf(sent.size() - good), "120000");

        // every request exactly once, on the output or the dead-letter topic (by key: an unreadable value has no id)
        Set<String> seen = new HashSet<>();
        for (JsonNode r : results) {
            assertTrue(seen.add(r.get("key").asText()), "duplicate " + r);
        }
        for (JsonNode f : failures) {
            assertTrue(seen.add(f.get("key").asText()), "duplicate " + f);
        }
        assertEquals(sent.keySet().stream().map(id -> "key-" + id).collect(java.util.stream.Collectors.toSet()), seen);

        // results as Confluent's deserializer reads them agree with the engine and with this project's serde
        Map<String, TranslationResult> javaView = readResultsInJava((int) good);
        for (JsonNode row : results) {
            JsonNode v = row.get("value");
            String id = v.get("id").asText();
            assertTrue(id.startsWith("ok-"), "dead letter expected for " + id + ", got a result: " + v);
            assertEquals("key-" + id, row.get("key").asText(), "output key = input key");
            assertEquals(sent.get(id), v.get("source_text").asText());
            String expected = engine.translate(List.of(new TranslationTask(sent.get(id), "en", "de", null, null))).get(0).text();
            assertEquals(expected, v.get("text").asText(), "translation of " + id);
            assertEquals("kafkajs", v.get("attributes").get("origin").asText());
            assertEquals(1_700_000_000_000L, v.get("created_at").asLong());
            TranslationResult j = javaView.get(id);
            assertNotNull(j, "Java did not read " + id);
            assertEquals(j.getText(), v.get("text").asText());
            assertEquals(j.getCached(), v.get("cached").asBoolean());
            assertEquals(j.getOutputTokens(), v.get("output_tokens").asInt());
            assertEquals(j.getProducedAt().toEpochMilli(), v.get("produced_at").asLong());
        }

        // dead letters: the right reason, and the raw bytes exactly as they are on the input topic (replayable)
        Map<String, byte[]> rawInput = readRawInput(sent.size());
        for (JsonNode row : failures) {
            JsonNode v = row.get("value");
            String id = v.get("id").isNull() ? null : v.get("id").asText();
            String reason = v.get("error").asText();
            String message = v.get("message").asText();
            assertEquals(REQUESTS, v.get("source_topic").asText());
            byte[] raw = Base64.getDecoder().decode(v.get("raw_value").get("base64").asText());
            if (reason.equals("DESERIALIZATION")) {
                assertEquals("key-bad-surrogate", row.get("key").asText());
                assertNull(id, "the value could not be read, so it has no id");
                assertTrue(message.contains("'text' is not valid UTF-8"), message);
                assertTrue(indexOf(raw, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}) >= 0,
                        "avsc wrote the lone surrogate as ED A0 80");
                assertArrayEquals(rawInput.get("key-bad-surrogate"), raw);
            } else {
                assertEquals("TOO_LONG", reason, v.toString());
                assertEquals("bad-long", id);
                assertArrayEquals(rawInput.get("key-bad-long"), raw);
            }
        }
        assertEquals(Set.of("DESERIALIZATION", "TOO_LONG"),
                Set.of(failures.get(0).get("value").get("error").asText(), failures.get(1).get("value").get("error").asText()));
    }

    private static Map<String, TranslationResult> readResultsInJava(int want) {
        Map<String, TranslationResult> out = new HashMap<>();
        RegistryAvroSerde<TranslationResult> serde = RegistryAvroSerde.of(TranslationResult.class,
                Map.of("schema.registry.url", CLUSTER.registryUrl()), false);
        try (KafkaConsumer<String, TranslationResult> c = new KafkaConsumer<>(consumerProps("java-results"),
                new StringDeserializer(), serde)) {
            c.subscribe(List.of(TRANSLATIONS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < want && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, TranslationResult> r : c.poll(Duration.ofMillis(200))) {
                    out.put(r.value().getId(), r.value());
                }
            }
        }
        return out;
    }

    /** The input topic's values by key, as bytes. */
    private static Map<String, byte[]> readRawInput(int want) {
        Map<String, byte[]> out = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerProps("java-raw"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(REQUESTS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < want && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.put(r.key(), r.value());
                }
            }
        }
        assertEquals(want, out.size(), "records on " + REQUESTS);
        return out;
    }

    private static Properties consumerProps(String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, CLUSTER.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }
}
