package seq2seq.service.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppConfigTest {
    @TempDir
    Path dir;

    @Test
    void environmentVariablesFollowTheKafkaImagesConvention() {
        assertEquals("S2S_KAFKA_BOOTSTRAP_SERVERS", Settings.BOOTSTRAP_SERVERS.envVar());
        assertEquals("kafka.bootstrap.servers", Property.propertyOf("S2S_KAFKA_BOOTSTRAP_SERVERS"));
        for (String name : new String[] {"a.b_c.d-e", "kafka.producer.linger.ms", "registry.basic.auth.user.info"}) {
            assertEquals(name, Property.propertyOf(Property.envVar(name)), name);
        }
        assertEquals(null, Property.propertyOf("PATH"));
    }

    @Test
    void theFileIsReadTheEnvironmentWinsAndDefaultsFillTheRest() throws Exception {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, """
                kafka.bootstrap.servers=file:9092
                batch.size=8
                kafka.producer.linger.ms=5
                registry.basic.auth.user.info=u:p
                """);
        AppConfig c = AppConfig.load(file, Map.of("S2S_KAFKA_BOOTSTRAP_SERVERS", "env:9092", "HOME", "/root"));
        assertEquals("env:9092", c.get(Settings.BOOTSTRAP_SERVERS));
        assertEquals(8, c.pipeline().batchMaxSize());
        assertEquals("translation-requests", c.pipeline().requestsTopic());
        Map<String, Object> streams = c.kafkaStreams();
        assertEquals("env:9092", streams.get("bootstrap.servers"));
        assertEquals("5", streams.get("producer.linger.ms"));
        assertEquals("exactly_once_v2", streams.get("processing.guarantee"));
        assertEquals("http://localhost:8081", streams.get("schema.registry.url"));
        assertEquals("u:p", c.serdes().get("basic.auth.user.info"));
        assertEquals("********", c.explicitValues().get("registry.basic.auth.user.info"));
    }

    @Test
    void everyBadValueIsReportedOnceWithItsName() {
        ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.of(Map.of(
                "batch.size", "many", "memory.enabled", "yes", "kafka.processing.guarantee", "exactly_once",
                "tpoic.requests", "x")));
        assertEquals(4, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("batch.size (S2S_BATCH_SIZE) must be a whole number, got 'many'"), e.getMessage());
        assertTrue(e.getMessage().contains("tpoic.requests is not a known property"), e.getMessage());
    }

    @Test
    void kafkaItselfChecksThePassedThroughSettingsAndTheBlockMustFitTheTransaction() {
        ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.of(Map.of("kafka.num.standby.replicas", "2",
                "kafka.poll.ms", "10", "kafka.default.deserialization.exception.handler", "no.such.Class")));
        assertTrue(e.getMessage().contains("Kafka Streams rejects"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> AppConfig.of(Map.of("batch.max.block.ms", "6000")));
        assertTrue(e.getMessage().contains("more than half of kafka.producer.transaction.timeout.ms"), e.getMessage());
    }

    @Test
    void aLatencyTargetIsOffByDefaultCarriedIntoThePipelineAndMustLeaveRoomForTheCommit() {
        assertFalse(AppConfig.of(Map.of()).pipeline().hasLatencyTarget());
        AppConfig c = AppConfig.of(Map.of("batch.latency.target.ms", "250"));
        assertEquals(java.time.Duration.ofMillis(250), c.pipeline().batchLatencyTarget());
        assertEquals("100", AppConfig.of(Map.of()).kafkaStreams().get("commit.interval.ms"));
        assertEquals("25", c.kafkaStreams().get("commit.interval.ms"), "a target shortens the default commit interval");
        assertEquals(25, c.getLong(Settings.COMMIT_INTERVAL));
        assertEquals("10", AppConfig.of(Map.of("batch.latency.target.ms", "60")).kafkaStreams().get("commit.interval.ms"));
        assertEquals("100", AppConfig.of(Map.of("batch.latency.target.ms", "250", "kafka.commit.interval.ms", "100"))
                .kafkaStreams().get("commit.interval.ms"), "a commit interval set explicitly stays");
        ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.of(Map.of("batch.latency.target.ms", "100",
                "kafka.commit.interval.ms", "100")));
        assertTrue(e.getMessage().contains("batch.latency.target.ms is 100 ms, not above the 105 ms"), e.getMessage());
        assertEquals(100, AppConfig.of(Map.of("batch.latency.target.ms", "100", "kafka.processing.guarantee", "at_least_once"))
                .pipeline().batchLatencyTarget().toMillis(), "without exactly-once a result is readable at once");
        e = assertThrows(ConfigException.class, () -> AppConfig.of(Map.of("batch.latency.target.ms", "-1")));
        assertTrue(e.getMessage().contains("batch.latency.target.ms (S2S_BATCH_LATENCY_TARGET_MS) must be between 0 and"), e.getMessage());
    }

    @Test
    void oneModelByDefaultNamedAfterItsFolder() {
        AppConfig c = AppConfig.of(Map.of("model.dir", "testdata/models/tiny", "model.dtype", "q8"));
        assertEquals(java.util.List.of(new AppConfig.ModelSpec("tiny", Path.of("testdata/models/tiny"), "q8", null)), c.models());
        assertEquals("tiny", c.defaultModel());
        assertEquals("s2s-en-de-small", AppConfig.of(Map.of()).defaultModel(), "the shipped model when nothing is set");
    }

    @Test
    void severalModelsWithTheirOwnFoldersWeightsAndPairs() {
        AppConfig c = AppConfig.load(null, Map.of("S2S_MODELS_DE_DIR", "testdata/models/tiny",
                "S2S_MODELS_FR_DIR", "testdata/models/tiny", "S2S_MODELS_FR_DTYPE", "q8", "S2S_MODELS_FR_PAIRS", "en-fr,de-fr",
                "S2S_MODELS_DEFAULT", "de"));
        var models = c.models();
        assertEquals(java.util.List.of("de", "fr"), models.stream().map(AppConfig.ModelSpec::name).toList());
        assertEquals("fp32", models.get(0).dtype(), "model.dtype is every model's default");
        assertEquals(null, models.get(0).pairs(), "languages from the bundle");
        assertEquals("q8", models.get(1).dtype());
        assertEquals(seq2seq.model.LanguagePairs.parse("en-fr,de-fr"), models.get(1).pairs());
        assertEquals("de", c.defaultModel());
        assertEquals("models.<name>.dir", Settings.find("models.de.dir").name());
        assertEquals("S2S_MODELS_<NAME>_DIR", Settings.MODELS_DIR.envVar());
    }

    @Test
    void badModelSettingsAreReportedTogether() {
        ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.of(Map.of(
                "models.a.dir", "x", "models.b.dir", "y", "models.c.pairs", "en-de", "model.dir", "z")));
        assertTrue(e.getMessage().contains("models.c.* is set but models.c.dir is not"), e.getMessage());
        assertTrue(e.getMessage().contains("model.dir and models.<name>.dir are both set"), e.getMessage());
        assertTrue(e.getMessage().contains("models.default must name one of the models a, b "), e.getMessage());
        e = assertThrows(ConfigException.class, () -> AppConfig.of(Map.of("models.a.dir", "x", "models.default", "b")));
        assertTrue(e.getMessage().contains("models.default is 'b', not one of the models: a"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> AppConfig.of(Map.of("models.a.dir", "x", "models.a.pairs", "en")));
        assertTrue(e.getMessage().contains("models.a.pairs (S2S_MODELS_A_PAIRS) 'en' is not a language pair"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> AppConfig.of(Map.of("models.a.dir", "x", "models.a.dtype", "fp64")));
        assertTrue(e.getMessage().contains("models.a.dtype (S2S_MODELS_A_DTYPE) must be one of"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> AppConfig.of(Map.of("models.a b.dir", "x")));
        assertTrue(e.getMessage().contains("models.a b.dir is not a known property"), e.getMessage());
    }

    @Test
    void theTableListsEveryProperty() {
        String table = Settings.markdownTable();
        for (Property p : Settings.all()) {
            assertTrue(table.contains("| `" + p.name() + "` | `" + p.envVar() + "` |"), p.name());
        }
    }
}
