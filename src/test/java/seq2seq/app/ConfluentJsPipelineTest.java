package seq2seq.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.app.config.AppConfig;
import seq2seq.generation.Engine;
import seq2seq.streams.PipelineEvents;
import seq2seq.testing.EmbeddedCluster;
import seq2seq.testing.NodeProcess;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Confluent's own JavaScript clients at both ends of the pipeline: @confluentinc/schemaregistry's Avro serializer and
 * kafkajs write TranslationRequests, the pipeline (tiny model) translates them, and the same library's Avro
 * deserializer reads the TranslationResults back (kafkajs reads committed records only).
 */
@Timeout(300)
class ConfluentJsPipelineTest {
    @RegisterExtension
    static final EmbeddedCluster CLUSTER = EmbeddedCluster.brokers(1).withRegistry();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] TEXTS = {"Hello world.", "The house is small. The garden is big.", "", "emoji 😀 and 中文",
            "right-to-left שלום", "quotes \" and \\ backslash", "Good morning.", "Good morning."};

    @TempDir
    Path dir;

    @Test
    void requestsFromConfluentsJsClientComeBackTranslatedToIt() throws Exception {
        Map<String, String> c = new HashMap<>();
        c.put("kafka.bootstrap.servers", CLUSTER.bootstrapServers());
        c.put("registry.url", CLUSTER.registryUrl());
        c.put("kafka.application.id", "js-pipeline");
        c.put("kafka.replication.factor", "1");
        c.put("kafka.state.dir", dir.toString());
        c.put("model.dir", FailoverTest.TINY_MODEL.toString());
        AppConfig config = AppConfig.of(c);
        Topics.create(CLUSTER.bootstrapServers(), config.pipeline(), 2, (short) 1);
        try (Engine engine = EngineLoader.load(config);
             PipelineService service = new PipelineService(config, engine, PipelineEvents.NONE)) {
            service.start();
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < TEXTS.length; i++) {
                ObjectNode v = JSON.createObjectNode().put("id", "js-" + i).put("text", TEXTS[i]);
                v.putNull("source_lang").putNull("target_lang").putNull("model");
                v.putObject("options").put("num_beams", 1).put("max_new_tokens", 12);
                v.putObject("attributes").put("n", String.valueOf(i));
                v.put("created_at", System.currentTimeMillis());
                lines.add(JSON.createObjectNode().put("key", "k" + i).set("value", v).toString());
            }
            String schema = Path.of("schemas/TranslationRequest.avsc").toAbsolutePath().toString();
            List<JsonNode> produced = NodeProcess.run("interop.mjs", lines, 120, "produce", CLUSTER.bootstrapServers(),
                    CLUSTER.registryUrl(), config.pipeline().requestsTopic(), schema);
            assertEquals(TEXTS.length, produced.get(0).get("produced").asInt());

            List<JsonNode> rows = NodeProcess.run("interop.mjs", List.of(), 180, "consume", CLUSTER.bootstrapServers(),
                    CLUSTER.registryUrl(), config.pipeline().translationsTopic(), String.valueOf(TEXTS.length), "150000");
            assertEquals(TEXTS.length, rows.size(), rows.toString());
            Map<String, JsonNode> byKey = new HashMap<>();
            rows.forEach(r -> byKey.put(r.get("key").asText(), r.get("value")));
            for (int i = 0; i < TEXTS.length; i++) {
                JsonNode v = byKey.get("k" + i);
                assertEquals("js-" + i, v.get("id").asText(), "output key = input key");
                assertEquals(TEXTS[i], v.get("source_text").asText());
                assertEquals(String.valueOf(i), v.get("attributes").get("n").asText());
                assertEquals(engine.modelInfo().version(), v.get("model_version").asText());
                assertTrue(v.get("latency_ms").asLong() >= 0);
                assertEquals(TEXTS[i].isBlank() ? 0 : 1, Math.min(1, v.get("segments").asInt()));
                assertFalse(v.get("text").isNull());
            }
            assertEquals(2, byKey.get("k1").get("segments").asInt(), "two sentences");
            assertEquals("", byKey.get("k2").get("text").asText(), "empty in, empty out");
        }
    }
}
