package seq2seq.streams;

import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.generation.ModelInfo;
import seq2seq.generation.TranslationTask;
import seq2seq.generation.Translator;
import seq2seq.model.LanguagePairs;
import seq2seq.streams.state.MemoryEntry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One instance serving several models, on the TopologyTestDriver under exactly_once_v2 with the real engines running
 * inline: the tiny bundle twice under two names ("a" for en-de, the default, and "b" for en-fr), and the shipped
 * model, whose bundle declares en-de. Routing by model and by language pair, dead letters naming the models, results
 * naming model and version, and a memory that never answers with another model's or version's output.
 */
@Timeout(180)
class ModelFleetTopologyTest {
    private static final int MAX_TICKS = 50;
    private static Engine tiny;

    @TempDir
    Path stateDir;

    private final List<String> batchesByModel = new CopyOnWriteArrayList<>();
    private Batcher batcher;
    private TopologyTestDriver driver;
    private TestInputTopic<String, TranslationRequest> requests;
    private TestOutputTopic<String, TranslationResult> translations;
    private TestOutputTopic<String, TranslationFailure> failures;
    private final PipelineSettings settings = PipelineSettings.defaults();

    @BeforeAll
    static void load() {
        tiny = Engine.load(TranslationTopologyTest.TINY_MODEL, EngineOptions.defaults());
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
        if (batcher != null) {
            batcher.close();
        }
    }

    /** The tiny engine, inline, under another name and languages. */
    private static Translator tinyAs(String name, String pairs) {
        return TranslationTopologyTest.inline(tiny).withModelInfo(
                tiny.modelInfo().withName(name).withLanguages(LanguagePairs.parse(pairs)));
    }

    private void start(List<Translator> models, String defaultModel) {
        PipelineEvents events = new PipelineEvents() {
            @Override
            public void batchDone(String model, int segments, int tokens, long nanos) {
                batchesByModel.add(model);
            }
        };
        batcher = new Batcher(models, settings.batchMaxSize(), settings.batchMaxTokens(), events);
        ModelRouter router = new ModelRouter(batcher.models(), defaultModel, true);
        PlainAvroSerde<TranslationRequest> req = new PlainAvroSerde<>(TranslationRequest.class);
        PlainAvroSerde<TranslationResult> res = new PlainAvroSerde<>(TranslationResult.class);
        PlainAvroSerde<TranslationFailure> fail = new PlainAvroSerde<>(TranslationFailure.class);
        Properties props = new Properties();
        props.putAll(TranslationTopology.streamsProperties(settings, PlainAvroSerde.class.getName()));
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "fleet-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(TranslationTopology.build(settings, batcher, router, req, res, fail, events), props);
        requests = driver.createInputTopic(settings.requestsTopic(), new StringSerializer(), req.serializer());
        translations = driver.createOutputTopic(settings.translationsTopic(), new StringDeserializer(), res.deserializer());
        failures = driver.createOutputTopic(settings.failuresTopic(), new StringDeserializer(), fail.deserializer());
    }

    private static TranslationRequest request(String id, String text, String model, String source, String target) {
        return TranslationRequest.newBuilder().setId(id).setText(text).setModel(model).setSourceLang(source)
                .setTargetLang(target).setAttributes(Map.of()).build();
    }

    private void send(TranslationRequest r) {
        requests.pipeInput(r.getId(), r);
    }

    private Map<String, TranslationResult> awaitTranslations(int n) {
        List<KeyValue<String, TranslationResult>> out = new ArrayList<>(translations.readKeyValuesToList());
        for (int tick = 0; out.size() < n; tick++) {
            if (tick == MAX_TICKS) {
                fail("expected " + n + " translations, got " + out.size());
            }
            driver.advanceWallClockTime(settings.tick());
            out.addAll(translations.readKeyValuesToList());
        }
        assertEquals(n, out.size());
        Map<String, TranslationResult> byKey = new java.util.LinkedHashMap<>();
        out.forEach(kv -> byKey.put(kv.key, kv.value));
        return byKey;
    }

    private Map<String, TranslationFailure> deadLetters() {
        Map<String, TranslationFailure> byKey = new java.util.LinkedHashMap<>();
        failures.readKeyValuesToList().forEach(kv -> byKey.put(kv.key, kv.value));
        return byKey;
    }

    @Test
    void twoModelsAreRoutedByModelFieldAndByLanguagePair() {
        start(List.of(tinyAs("a", "en-de"), tinyAs("b", "en-fr")), "a");
        send(request("by-name", "The cat sleeps.", "b", null, null));
        send(request("by-pair-fr", "The dog runs.", null, "en", "fr"));
        send(request("by-target-de", "The bird sings.", null, null, "de"));
        send(request("by-default", "The fish swims.", null, null, null));
        send(request("by-name-a", "The cow eats.", "a", "en", "de"));
        Map<String, TranslationResult> out = awaitTranslations(5);
        assertEquals(List.of("by-name", "by-pair-fr", "by-target-de", "by-default", "by-name-a"), List.copyOf(out.keySet()),
                "arrival order kept across models");
        assertEquals("b", out.get("by-name").getModel());
        assertEquals("b", out.get("by-pair-fr").getModel());
        assertEquals("a", out.get("by-target-de").getModel());
        assertEquals("a", out.get("by-default").getModel());
        assertEquals("a", out.get("by-name-a").getModel());
        for (TranslationResult r : out.values()) {
            assertEquals(tiny.modelInfo().version(), r.getModelVersion(), "every result names the version that made it");
            assertEquals(tiny.translate(List.of(TranslationTask.of(r.getSourceText()))).get(0).text(), r.getText());
        }
        assertTrue(batchesByModel.contains("a") && batchesByModel.contains("b"), "both models ran: " + batchesByModel);
        assertTrue(failures.isEmpty());
    }

    @Test
    void unknownModelsAndUnservedLanguagesAreDeadLettered() {
        start(List.of(tinyAs("a", "en-de"), tinyAs("b", "en-fr")), "a");
        send(request("no-such", "Hello.", "no-such-model", null, null));
        send(request("a-to-fr", "Hello.", "a", null, "fr"));
        send(request("es", "Hello.", null, "en", "es"));
        send(request("invalid", "Hello.", null, null, "xx-INVALID"));
        send(request("ja-de", "Hello.", null, "ja", "de"));
        Map<String, TranslationFailure> dead = deadLetters();
        assertEquals(List.of("no-such", "a-to-fr", "es", "invalid", "ja-de"), List.copyOf(dead.keySet()));
        TranslationFailure unknown = dead.get("no-such");
        assertEquals(FailureReason.UNKNOWN_MODEL, unknown.getError());
        assertTrue(unknown.getMessage().contains("model 'no-such-model' is not served here; models: a (en-de), b (en-fr)"),
                unknown.getMessage());
        assertEquals(FailureReason.UNSUPPORTED_LANGUAGE, dead.get("a-to-fr").getError());
        assertTrue(dead.get("a-to-fr").getMessage().contains("model 'a' does not translate any source to 'fr'; it serves en-de"),
                dead.get("a-to-fr").getMessage());
        assertEquals(FailureReason.UNSUPPORTED_LANGUAGE, dead.get("es").getError());
        assertTrue(dead.get("es").getMessage().contains("target_lang 'es' is produced by no model here; models: a (en-de), b (en-fr)"),
                dead.get("es").getMessage());
        assertEquals(FailureReason.UNSUPPORTED_LANGUAGE, dead.get("invalid").getError());
        assertTrue(dead.get("invalid").getMessage().contains("'xx-INVALID' is produced by no model"), dead.get("invalid").getMessage());
        assertEquals(FailureReason.UNSUPPORTED_LANGUAGE, dead.get("ja-de").getError());
        assertTrue(dead.get("ja-de").getMessage().contains("no model here translates 'ja' to 'de'"), dead.get("ja-de").getMessage());
        assertTrue(translations.isEmpty());
        assertTrue(batchesByModel.isEmpty(), "nothing reached an engine");
    }

    @Test
    void theShippedModelRefusesFrenchAndInvalidTargetsAndTranslatesGerman() {
        try (Engine shipped = Engine.load(Path.of("models/s2s-en-de-small"), EngineOptions.builder().maxNewTokens(8).build())) {
            assertEquals(LanguagePairs.of(List.of(List.of("en", "de"))), shipped.modelInfo().languages(),
                    "its tokenizer_config.json declares en -> de, as opus-mt exports do");
            start(List.of(TranslationTopologyTest.inline(shipped)), shipped.modelInfo().name());
            send(request("fr", "Hello.", null, "en", "fr"));
            send(request("invalid", "Hello.", null, null, "xx-INVALID"));
            send(request("de", "Hello.", null, "en", "de"));
            Map<String, TranslationFailure> dead = deadLetters();
            assertEquals(List.of("fr", "invalid"), List.copyOf(dead.keySet()));
            dead.values().forEach(f -> assertEquals(FailureReason.UNSUPPORTED_LANGUAGE, f.getError(), f.getMessage()));
            assertTrue(dead.get("fr").getMessage().contains("target_lang 'fr' is produced by no model here; models: s2s-en-de-small (en-de)"),
                    dead.get("fr").getMessage());
            TranslationResult de = awaitTranslations(1).get("de");
            assertEquals("s2s-en-de-small", de.getModel());
            assertEquals(shipped.modelInfo().version(), de.getModelVersion());
        }
    }

    @Test
    void theMemoryNeverAnswersWithAnotherModelsOrVersionsOutput() {
        Translator a = tinyAs("a", "en-de");
        Translator b = tinyAs("b", "en-fr");
        start(List.of(a, b), "a");
        var memory = driver.<byte[], MemoryEntry>getKeyValueStore(StoreNames.MEMORY);
        TranslationRequest probe = request("p", "Planted sentence.", null, null, null);
        ModelInfo oldA = a.modelInfo().withLanguages(LanguagePairs.ANY);
        ModelInfo oldVersionOfA = new ModelInfo("a", "an-older-version", 64, a.modelInfo().languages());
        // entries another model, and another version of the same model, left for the very same segment and options
        memory.put(PartitionMemory.key(b.modelInfo(), probe, "Planted sentence."), new MemoryEntry("FROM-B", 1, 1, false, null, 0));
        memory.put(PartitionMemory.key(oldVersionOfA, probe, "Planted sentence."), new MemoryEntry("FROM-OLD-A", 1, 1, false, null, 0));
        assertNotEquals(java.util.Arrays.toString(PartitionMemory.key(a.modelInfo(), probe, "x")),
                java.util.Arrays.toString(PartitionMemory.key(b.modelInfo(), probe, "x")), "same version, other name: other key");
        assertEquals(java.util.Arrays.toString(PartitionMemory.key(a.modelInfo(), probe, "x")),
                java.util.Arrays.toString(PartitionMemory.key(oldA, probe, "x")), "the key is name and version, not languages");

        send(request("1", "Planted sentence.", "a", null, null));
        TranslationResult first = awaitTranslations(1).get("1");
        assertFalse(first.getCached(), "neither b's entry nor an older a's answered");
        assertNotEquals("FROM-B", first.getText());
        assertNotEquals("FROM-OLD-A", first.getText());
        assertEquals("a", first.getModel());

        send(request("2", "Planted sentence.", "b", null, null));
        TranslationResult second = awaitTranslations(1).get("2");
        assertTrue(second.getCached(), "b's own entry answers b");
        assertEquals("FROM-B", second.getText());
        assertEquals("b", second.getModel());
        assertEquals(b.modelInfo().version(), second.getModelVersion());

        send(request("3", "Planted sentence.", "a", null, null));
        TranslationResult third = awaitTranslations(1).get("3");
        assertTrue(third.getCached(), "a remembered its own translation");
        assertEquals(first.getText(), third.getText());
        assertEquals("a", third.getModel());
        assertEquals(List.of("a"), batchesByModel, "only a's first request reached an engine");
    }
}
