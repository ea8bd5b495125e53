package seq2seq.streams;

import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.generation.Translator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recurrent replica bundle (character LSTM) through the topology, as {@link TranslationTopologyTest} runs the
 * transformer: TopologyTestDriver, exactly_once_v2, the real batcher and engine inline. The pipeline sees only a
 * Translator, so the outputs are the PyTorch reference's greedy outputs (testdata/golden/recurrent/greedy.jsonl).
 */
@Timeout(120)
class RecurrentTopologyTest {
    static final Path RECURRENT_MODEL = Path.of("testdata/models/recurrent");

    @TempDir
    Path stateDir;

    @Test
    void requestsAreTranslatedByTheRecurrentModelInOneBatch() {
        // text -> the reference's greedy output (one sentence each: the pipeline does not split them)
        Map<String, String> golden = Map.of(
                "Hello world.", "Fehler beim Schlüssel",
                "The file could not be opened.", "Die Ausgabe der Schlüssel sind ausgeben",
                "Please restart the computer now.", "Daten der Schlüssel ist nicht ausgeben");
        List<String> texts = List.of("Hello world.", "The file could not be opened.", "Please restart the computer now.");
        PipelineSettings s = PipelineSettings.defaults().withBatching(3, 10_000, Duration.ofHours(1));
        List<Integer> batchSizes = new ArrayList<>();
        PipelineEvents events = new PipelineEvents() {
            @Override
            public void batchDone(String model, int segments, int tokens, long nanos) {
                batchSizes.add(segments);
            }

            @Override
            public void deadLettered(FailureReason reason) {
                throw new AssertionError("dead-lettered: " + reason);
            }
        };
        try (Engine engine = Engine.load(RECURRENT_MODEL, EngineOptions.builder().numBeams(1).build());
             Batcher batcher = new Batcher(translator(engine), s.batchMaxSize(), s.batchMaxTokens(), events)) {
            PlainAvroSerde<TranslationRequest> req = new PlainAvroSerde<>(TranslationRequest.class);
            PlainAvroSerde<TranslationResult> res = new PlainAvroSerde<>(TranslationResult.class);
            PlainAvroSerde<TranslationFailure> fail = new PlainAvroSerde<>(TranslationFailure.class);
            Properties props = new Properties();
            props.putAll(TranslationTopology.streamsProperties(s, PlainAvroSerde.class.getName()));
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "recurrent-topology-test");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            props.put(DeadLetterHandler.EVENTS_CONFIG, events);
            assertEquals(StreamsConfig.EXACTLY_ONCE_V2, props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
            try (TopologyTestDriver driver = new TopologyTestDriver(
                    TranslationTopology.build(s, batcher, ModelRouter.of(engine.modelInfo()), req, res, fail, events), props)) {
                TestInputTopic<String, TranslationRequest> requests =
                        driver.createInputTopic(s.requestsTopic(), new StringSerializer(), req.serializer());
                TestOutputTopic<String, TranslationResult> translations =
                        driver.createOutputTopic(s.translationsTopic(), new StringDeserializer(), res.deserializer());
                TestOutputTopic<String, TranslationFailure> failures =
                        driver.createOutputTopic(s.failuresTopic(), new StringDeserializer(), fail.deserializer());
                for (int i = 0; i < texts.size(); i++) {
                    requests.pipeInput("id-" + i, TranslationRequest.newBuilder().setId("id-" + i).setText(texts.get(i))
                            .setTargetLang("de").build());
                }
                List<KeyValue<String, TranslationResult>> out = new ArrayList<>(translations.readKeyValuesToList());
                for (int tick = 0; out.size() < texts.size() && tick < 50; tick++) {
                    driver.advanceWallClockTime(s.tick());
                    out.addAll(translations.readKeyValuesToList());
                }
                assertTrue(failures.isEmpty(), "no failures");
                assertEquals(texts.size(), out.size(), "translations");
                assertEquals(List.of(3), batchSizes, "one batch of three");
                for (int i = 0; i < texts.size(); i++) {
                    TranslationResult r = out.get(i).value;
                    assertEquals("id-" + i, out.get(i).key);
                    assertEquals(golden.get(texts.get(i)), r.getText(), texts.get(i));
                    assertEquals("recurrent", r.getModel());
                    assertEquals(engine.modelInfo().version(), r.getModelVersion());
                    assertEquals(texts.get(i).length(), r.getInputTokens(), "one token per character");
                    assertFalse(r.getCached());
                }
            }
        }
    }

    /** The engine as a translator that finishes each batch inside submit (Translator's default). */
    private static Translator translator(Engine engine) {
        return new Translator() {
            @Override
            public List<seq2seq.generation.Translation> translate(List<seq2seq.generation.TranslationTask> tasks) {
                return engine.translate(tasks);
            }

            @Override
            public seq2seq.generation.ModelInfo modelInfo() {
                return engine.modelInfo();
            }

            @Override
            public void close() {
                // the test closes the engine
            }
        };
    }
}
