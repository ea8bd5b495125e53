package seq2seq.service.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.generation.TranslationTask;
import seq2seq.service.LoadedModels;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.streams.serde.RegistryAvroSerde;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static seq2seq.service.ops.MetricsTest.sample;

/**
 * One instance serving two models (the tiny bundle as "a" for en-de, the default, and as "b" for en-fr) against the
 * in-process broker and registry, loaded from the configuration as {@code run} loads them: one shared worker pool,
 * routing by model and by language, dead letters naming the models, per-model metrics and the status page's models.
 */
@Timeout(300)
class ModelFleetIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private TestCluster cluster;

    @BeforeEach
    void startCluster() {
        cluster = TestCluster.start(2);
    }

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static TranslationRequest request(String id, String text, String model, String target) {
        return TranslationRequest.newBuilder().setId(id).setText(text).setSourceLang(target == null ? null : "en")
                .setTargetLang(target).setModel(model).setOptions(null).setAttributes(Map.of())
                .setCreatedAt(Instant.now()).build();
    }

    @Test
    void oneInstanceServesTwoModelsRoutedByNameAndByLanguage() throws Exception {
        Map<String, String> v = new HashMap<>();
        v.put(Settings.BOOTSTRAP_SERVERS.name(), cluster.kafka.bootstrapServers());
        v.put(Settings.REGISTRY_URL.name(), cluster.registry.url());
        v.put(Settings.REPLICATION_FACTOR.name(), "1");
        v.put(Settings.OPS_PORT.name(), "0");
        v.put(Settings.APPLICATION_ID.name(), "fleet");
        v.put(Settings.KAFKA_PREFIX + "state.dir", Files.createTempDirectory("s2s-state-").toString());
        v.put(Settings.BATCH_WORKERS.name(), "2");
        v.put("models.a.dir", TestCluster.TINY.toString());
        v.put("models.a.pairs", "en-de");
        v.put("models.b.dir", TestCluster.TINY.toString());
        v.put("models.b.pairs", "en-fr");
        v.put("models.default", "a");
        AppConfig config = AppConfig.of(v);

        List<TranslationRequest> requests = new ArrayList<>();
        Map<String, String> expectedModel = new HashMap<>();
        List<String> texts = OpsIntegrationTest.sentences(0, 40);
        for (int i = 0; i < 40; i++) {
            String id = "r" + i;
            String model = i % 4 == 0 ? "b" : null;                                  // by name
            String target = i % 4 == 1 ? "fr" : i % 4 == 2 ? "de" : null;             // by language; else the default
            requests.add(request(id, texts.get(i), model, target));
            expectedModel.put(id, i % 4 == 0 || i % 4 == 1 ? "b" : "a");
        }
        requests.add(request("unknown", "Hello.", "zz", null));
        requests.add(request("invalid", "Hello.", null, "xx-INVALID"));
        requests.add(request("spanish", "Hello.", null, "es"));

        String version;
        try (Engine reference = Engine.load(TestCluster.TINY, EngineOptions.defaults())) {
            version = reference.modelInfo().version();
            try (LoadedModels models = LoadedModels.load(config);
                 TestInstance instance = new TestInstance(config, models.translators(), (now, before) -> { });
                 KafkaConsumer<String, byte[]> reader = cluster.outputReader()) {
                assertEquals(2, models.workers(), "one pool of batch.workers for both engines");
                OpsIntegrationTest.awaitReady(instance);
                cluster.produceRequests(requests);
                List<ConsumerRecord<String, byte[]>> outputs = new ArrayList<>();
                TestCluster.readUntil(reader, outputs, o -> o.size() >= requests.size(), WAIT);

                var results = RegistryAvroSerde.of(TranslationResult.class, Map.of("schema.registry.url", cluster.registry.url()), false).deserializer();
                var failures = RegistryAvroSerde.of(TranslationFailure.class, Map.of("schema.registry.url", cluster.registry.url()), false).deserializer();
                Map<String, TranslationResult> translated = new HashMap<>();
                Map<String, TranslationFailure> dead = new HashMap<>();
                for (ConsumerRecord<String, byte[]> r : outputs) {
                    if (r.topic().equals(config.pipeline().translationsTopic())) {
                        translated.put(r.key(), results.deserialize(r.topic(), r.value()));
                    } else {
                        dead.put(r.key(), failures.deserialize(r.topic(), r.value()));
                    }
                }
                assertEquals(40, translated.size(), "dead letters: " + dead);
                for (var e : translated.entrySet()) {
                    TranslationResult r = e.getValue();
                    assertEquals(expectedModel.get(e.getKey()), r.getModel(), e.getKey());
                    assertEquals(version, r.getModelVersion());
                    assertEquals(reference.translate(List.of(TranslationTask.of(r.getSourceText()))).get(0).text(), r.getText());
                }
                assertEquals(FailureReason.UNKNOWN_MODEL, dead.get("unknown").getError());
                assertTrue(dead.get("unknown").getMessage().contains("models: a (en-de), b (en-fr)"), dead.get("unknown").getMessage());
                assertEquals(FailureReason.UNSUPPORTED_LANGUAGE, dead.get("invalid").getError());
                assertEquals(FailureReason.UNSUPPORTED_LANGUAGE, dead.get("spanish").getError());

                TestCluster.await("the metrics to count 40 translations", WAIT,
                        () -> instance.ops.metrics().snapshot().outComputed() >= 40);
                String scrape = OpsIntegrationTest.get(instance, "/metrics", 200);
                assertEquals(20, sample(scrape, "s2s_records_out_total{cached=\"false\",model=\"a\"}"));
                assertEquals(20, sample(scrape, "s2s_records_out_total{cached=\"false\",model=\"b\"}"));
                assertEquals(20, sample(scrape, "s2s_latency_seconds_count{model=\"b\"}"));
                assertTrue(sample(scrape, "s2s_batch_size_segments_sum{model=\"a\"}") == 20, scrape);
                assertTrue(sample(scrape, "s2s_batch_size_segments_sum{model=\"b\"}") == 20, scrape);
                assertEquals(1, sample(scrape, "s2s_model_info{model=\"a\",version=\"" + version + "\"}"));
                assertEquals(1, sample(scrape, "s2s_model_info{model=\"b\",version=\"" + version + "\"}"));

                JsonNode status = new ObjectMapper().readTree(OpsIntegrationTest.get(instance, "/status.json", 200));
                assertEquals("a", status.get("model").asText());
                JsonNode listed = status.get("models");
                assertEquals(2, listed.size(), status.toString());
                assertEquals("a", listed.get(0).get("name").asText());
                assertEquals(version, listed.get(0).get("version").asText());
                assertEquals("en-de", listed.get(0).get("languages").asText());
                assertTrue(listed.get(0).get("default").asBoolean());
                assertEquals("b", listed.get(1).get("name").asText());
                assertEquals("en-fr", listed.get(1).get("languages").asText());
                assertEquals(20, listed.get(1).get("recordsOut").asInt());
            }
        }
    }
}
