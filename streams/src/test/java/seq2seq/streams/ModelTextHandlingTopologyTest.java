package seq2seq.streams;

import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.DetailedTranslation;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.generation.ModelInfo;
import seq2seq.generation.Translation;
import seq2seq.generation.TranslationTask;
import seq2seq.generation.Translator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The model's text handling reaches the pipeline, on TopologyTestDriver with the real engine inline (replica bundles
 * of testdata/models): a T5 bundle whose seq2seq.json chooses the summarization task gets a long text as one input
 * with "summarize: " before it, where the same bundle without the file gets it sentence by sentence; an NLLB request's
 * source_lang becomes the encoder's language token and its target_lang the first generated token.
 */
@Timeout(120)
class ModelTextHandlingTopologyTest {
    private static final String TEXT = "The file could not be opened. Please restart the computer now!  Where is the station?";

    @TempDir
    Path stateDir;
    @TempDir
    Path bundleDir;

    private Engine engine;
    private Batcher batcher;
    private TopologyTestDriver driver;
    private TestInputTopic<String, TranslationRequest> requests;
    private TestOutputTopic<String, TranslationResult> translations;
    /** what the engine was given and made of it */
    private final List<TranslationTask> tasks = new CopyOnWriteArrayList<>();
    private final List<DetailedTranslation> details = new CopyOnWriteArrayList<>();

    private void start(Path bundle) {
        engine = Engine.load(bundle, EngineOptions.defaults());
        Translator recording = new Translator() {
            @Override
            public List<Translation> translate(List<TranslationTask> t) {
                tasks.addAll(t);
                List<DetailedTranslation> d = engine.translateDetailed(t);
                details.addAll(d);
                return d.stream().map(DetailedTranslation::translation).toList();
            }

            @Override
            public ModelInfo modelInfo() {
                return engine.modelInfo();
            }

            @Override
            public void close() {
            }
        };
        PipelineSettings s = PipelineSettings.defaults();
        PipelineEvents events = new PipelineEvents() {
        };
        batcher = new Batcher(recording, s.batchMaxSize(), s.batchMaxTokens(), events);
        PlainAvroSerde<TranslationRequest> req = new PlainAvroSerde<>(TranslationRequest.class);
        PlainAvroSerde<TranslationResult> res = new PlainAvroSerde<>(TranslationResult.class);
        PlainAvroSerde<seq2seq.avro.TranslationFailure> failSerde = new PlainAvroSerde<>(seq2seq.avro.TranslationFailure.class);
        Properties props = new Properties();
        props.putAll(TranslationTopology.streamsProperties(s, PlainAvroSerde.class.getName()));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "text-handling-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(DeadLetterHandler.EVENTS_CONFIG, events);
        driver = new TopologyTestDriver(TranslationTopology.build(s, batcher, ModelRouter.of(recording.modelInfo()), req, res, failSerde, events), props);
        requests = driver.createInputTopic(s.requestsTopic(), new StringSerializer(), req.serializer());
        translations = driver.createOutputTopic(s.translationsTopic(), new StringDeserializer(), res.deserializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
        if (batcher != null) {
            batcher.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private TranslationResult translate(String id, String text, String sourceLang, String targetLang) {
        requests.pipeInput(id, TranslationRequest.newBuilder().setId(id).setText(text).setSourceLang(sourceLang)
                .setTargetLang(targetLang).setAttributes(Map.of()).build());
        List<TranslationResult> out = new ArrayList<>();
        for (int tick = 0; out.isEmpty(); tick++) {
            if (tick == 50) {
                fail("no translation within 50 ticks");
            }
            driver.advanceWallClockTime(PipelineSettings.defaults().tick());
            translations.readValuesToList().forEach(out::add);
        }
        return out.get(0);
    }

    /** The replica bundle family/, linked file by file into bundleDir, plus the given seq2seq.json (null: none). */
    private Path replica(String family, String seq2seqJson) throws Exception {
        Path src = Path.of("testdata/models", family).toAbsolutePath();
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) {
                Files.createSymbolicLink(bundleDir.resolve(f.getFileName()), f);
            }
        }
        if (seq2seqJson != null) {
            Files.writeString(bundleDir.resolve("seq2seq.json"), seq2seqJson);
        }
        return bundleDir;
    }

    @Test
    void summarizationGetsTheWholeTextAsOneInputWithItsPrefix() throws Exception {
        start(replica("t5", "{\"task\": \"summarization\"}"));
        assertFalse(engine.modelInfo().segmentSentences());
        assertEquals("summarize: ", engine.modelInfo().inputPrefix());
        TranslationResult r = translate("s", TEXT, null, null);
        String whole = TEXT.replace("  ", " ");
        assertEquals(List.of(whole), tasks.stream().map(TranslationTask::text).toList(), "one input: the whole text");
        assertEquals(1, r.getSegments());
        assertArrayEquals(engine.tokenizer().ids("summarize: " + whole), details.get(0).sourceIds(), "the prefix is the engine's");
        assertEquals(engine.translate(List.of(TranslationTask.of(whole))).get(0).text(), r.getText());
    }

    @Test
    void withoutSeq2seqJsonTheSameModelGetsSentences() throws Exception {
        start(replica("t5", null));
        assertTrue(engine.modelInfo().segmentSentences());
        TranslationResult r = translate("s", TEXT, null, null);
        assertEquals(List.of("Please restart the computer now!", "The file could not be opened.", "Where is the station?"),
                tasks.stream().map(TranslationTask::text).sorted().toList(), "the batcher orders by length");
        assertEquals(3, r.getSegments());
        int first = tasks.stream().map(TranslationTask::text).toList().indexOf("The file could not be opened.");
        assertArrayEquals(engine.tokenizer().ids("The file could not be opened."), details.get(first).sourceIds(), "no prefix");
    }

    @Test
    void nllbSourceLangIsTheEncodersLanguageTokenAndTargetLangTheFirstOutput() throws Exception {
        start(replica("nllb", null));
        int fra = engine.tokenizer().tokenId("fra_Latn");
        int deu = engine.tokenizer().tokenId("deu_Latn");
        int eng = engine.tokenizer().tokenId("eng_Latn");
        int eos = engine.bundle().config.eosTokenId();

        translate("a", "Bonjour le monde.", "fra_Latn", "deu_Latn");
        assertEquals("fra_Latn", tasks.get(0).sourceLang());
        long[] ids = details.get(0).sourceIds();
        assertEquals(fra, ids[0], "legacy_behaviour false: the source-language token first");
        assertEquals(eos, ids[ids.length - 1]);
        assertEquals(deu, details.get(0).outputIds()[0], "target_lang forced as the first output token");

        translate("b", "Hello world.", null, "fra_Latn");
        long[] plain = details.get(1).sourceIds();
        assertEquals(eng, plain[0], "no source_lang: tokenizer_config.json's src_lang");
        assertEquals(fra, details.get(1).outputIds()[0]);

        translate("c", "Good morning.", null, null);
        assertEquals(deu, details.get(2).outputIds()[0], "no target_lang: tokenizer_config.json's tgt_lang");
    }
}
