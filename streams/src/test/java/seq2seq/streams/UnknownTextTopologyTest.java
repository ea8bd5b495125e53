package seq2seq.streams;

import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationOptions;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.generation.Translator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile input the shipped model cannot read, through the real topology (TopologyTestDriver, exactly_once_v2, the
 * real batcher and engine inline): emoji, CJK and Arabic in Latin sentences come through in the translation or are
 * listed in unknown_spans, never silently dropped; a text of nothing but emoji is not an empty success.
 */
@Timeout(300)
class UnknownTextTopologyTest {
    /** three sentences: a mixed one the model translates, one with an emoji run, one of nothing it can read */
    static final String HOSTILE = "Mixed-Skripte: Hello, 你好, مرحبا, 😀.\nGrüße aus Köln 🚀🔥👍🏽!\n🎉🎉";
    static final List<String> HOSTILE_SPANS = List.of("你好", "مرحبا", "😀", "🚀🔥👍🏽", "🎉🎉");

    private static Engine engine;

    @TempDir
    Path stateDir;

    private Batcher batcher;
    private TopologyTestDriver driver;
    private TestInputTopic<String, TranslationRequest> requests;
    private TestOutputTopic<String, TranslationResult> translations;
    private TestOutputTopic<String, TranslationFailure> failures;

    @BeforeAll
    static void loadEngine() {
        engine = Engine.load(Path.of("models/s2s-en-de-small"), EngineOptions.builder().numBeams(1).build());
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    @BeforeEach
    void start() {
        Translator translator = TranslationTopologyTest.inline(engine);
        PipelineSettings s = PipelineSettings.defaults();
        PipelineEvents events = new PipelineEvents() {
        };
        batcher = new Batcher(translator, s.batchMaxSize(), s.batchMaxTokens(), events);
        PlainAvroSerde<TranslationRequest> req = new PlainAvroSerde<>(TranslationRequest.class);
        PlainAvroSerde<TranslationResult> res = new PlainAvroSerde<>(TranslationResult.class);
        PlainAvroSerde<TranslationFailure> fail = new PlainAvroSerde<>(TranslationFailure.class);
        Properties props = new Properties();
        props.putAll(TranslationTopology.streamsProperties(s, PlainAvroSerde.class.getName()));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "unknown-text-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(DeadLetterHandler.EVENTS_CONFIG, events);
        driver = new TopologyTestDriver(TranslationTopology.build(s, batcher, ModelRouter.of(translator.modelInfo()),
                req, res, fail, events), props);
        requests = driver.createInputTopic(s.requestsTopic(), new StringSerializer(), req.serializer());
        translations = driver.createOutputTopic(s.translationsTopic(), new StringDeserializer(), res.deserializer());
        failures = driver.createOutputTopic(s.failuresTopic(), new StringDeserializer(), fail.deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
        batcher.close(); // the engine is the class's: the inline translator's close is never called
    }

    private TranslationResult translate(String id, String text, Boolean copyUnknowns) {
        TranslationRequest.Builder r = TranslationRequest.newBuilder().setId(id).setText(text).setAttributes(Map.of());
        if (copyUnknowns != null) {
            r.setOptions(TranslationOptions.newBuilder().setCopyUnknowns(copyUnknowns).build());
        }
        requests.pipeInput(id, r.build());
        List<TranslationResult> out = new ArrayList<>(translations.readValuesToList());
        for (int tick = 0; out.isEmpty(); tick++) {
            if (tick == 200) {
                fail(id + ": no translation within 200 ticks; dead letters: " + failures.readValuesToList());
            }
            driver.advanceWallClockTime(PipelineSettings.defaults().tick());
            out.addAll(translations.readValuesToList());
        }
        assertEquals(1, out.size());
        assertTrue(failures.isEmpty(), "no dead letter");
        return out.get(0);
    }

    /** Every emoji, CJK or Arabic character of the source is in the translation or in one of the unknown spans. */
    private static void assertNothingVanished(String source, TranslationResult r) {
        List<String> lost = new ArrayList<>();
        source.codePoints().filter(UnknownTextTopologyTest::unreadable).mapToObj(Character::toString)
                .filter(c -> !r.getText().contains(c) && r.getUnknownSpans().stream().noneMatch(s -> s.contains(c)))
                .forEach(lost::add);
        assertEquals(List.of(), lost, "dropped without a word from " + r);
    }

    private static boolean unreadable(int c) {
        Character.UnicodeScript script = Character.UnicodeScript.of(c);
        return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.ARABIC
                || Character.getType(c) == Character.OTHER_SYMBOL || Character.getType(c) == Character.MODIFIER_SYMBOL;
    }

    @Test
    void emojiAndOtherScriptsComeThroughOrAreReported() {
        TranslationResult r = translate("hostile", HOSTILE, null);
        System.out.println("hostile: " + HOSTILE.replace('\n', ' ') + " -> " + r.getText().replace('\n', ' ')
                + " unknown_spans=" + r.getUnknownSpans() + " unknown_pieces=" + r.getUnknownPieces());
        assertEquals(3, r.getSegments());
        assertEquals(HOSTILE_SPANS, r.getUnknownSpans());
        assertTrue(r.getUnknownPieces() >= HOSTILE_SPANS.size(), "at least one piece a span: " + r.getUnknownPieces());
        assertTrue(r.getText().endsWith("\n🎉🎉"), "a sentence of nothing but emoji is copied: " + r.getText());
        assertNothingVanished(HOSTILE, r);

        TranslationResult again = translate("hostile-again", HOSTILE, null);
        assertTrue(again.getCached(), "the memory answers the same request");
        assertEquals(r.getText(), again.getText());
        assertEquals(HOSTILE_SPANS, again.getUnknownSpans(), "and remembers what the model could not read");
        assertEquals(r.getUnknownPieces(), again.getUnknownPieces());
    }

    @Test
    void withoutCopyingTheSpansAreStillReported() {
        TranslationResult on = translate("on", HOSTILE, true);
        TranslationResult off = translate("off", HOSTILE, false);
        assertFalse(off.getCached(), "copying off is another memory key");
        assertEquals(HOSTILE_SPANS, off.getUnknownSpans());
        assertFalse(off.getText().contains("🎉"), "the model alone drops what it cannot read: " + off.getText());
        assertTrue(on.getText().contains("🎉🎉"));
        assertNothingVanished(HOSTILE, off);
    }

    /** 5 000 emoji (10 000 chars, the default text.max.chars): cut into segments, each its own translation. */
    @Test
    void fiveThousandEmojiAreNotAnEmptySuccess() {
        String emoji = "😀".repeat(5_000);
        TranslationResult r = translate("emoji", emoji, null);
        assertTrue(r.getSegments() > 1);
        assertEquals(emoji, r.getText());
        assertEquals(emoji, String.join("", r.getUnknownSpans()));
        assertEquals(0, r.getOutputTokens(), "the model was not run on text it cannot read");

        TranslationResult off = translate("emoji-off", emoji, false);
        assertEquals(emoji, String.join("", off.getUnknownSpans()), "an empty text says why");
    }
}
