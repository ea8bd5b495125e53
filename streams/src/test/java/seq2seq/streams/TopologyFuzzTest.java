package seq2seq.streams;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationOptions;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random valid and invalid input through the topology (production configuration, the real engine inline): texts of
 * every Unicode category and of many lengths, options and languages in and out of range, random bytes for values.
 * Whatever comes in, each record yields exactly one outcome under its own key: a translation or a dead letter.
 */
class TopologyFuzzTest {
    /** wall-clock steps an input may take to come out (the linger time in ticks, and more) */
    private static final int MAX_TICKS = 50;
    private static final AtomicLong KEYS = new AtomicLong();
    private static Engine engine;
    private static Batcher batcher;
    private static TopologyTestDriver driver;
    private static PipelineSettings settings;
    private static TestInputTopic<String, TranslationRequest> requests;
    private static TestInputTopic<String, byte[]> rawRequests;
    private static TestOutputTopic<String, TranslationResult> translations;
    private static TestOutputTopic<String, TranslationFailure> failures;
    /** what the dead-letter handler saw: TopologyTestDriver 4.3.1 drops the records it produces under exactly-once */
    private static final List<FailureReason> handlerDeadLetters = new CopyOnWriteArrayList<>();

    /** One input record: a request, or raw bytes (null: a tombstone). */
    record Input(TranslationRequest request, byte[] raw) {
        @Override
        public String toString() {
            return request != null ? request.toString() : raw == null ? "tombstone" : raw.length + " random bytes";
        }
    }

    @BeforeContainer
    static void start() throws Exception {
        engine = Engine.load(TranslationTopologyTest.TINY_MODEL, EngineOptions.defaults());
        settings = PipelineSettings.defaults().withLimits(2_000, 400);
        PipelineEvents handlerEvents = new PipelineEvents() { // the deserialization handler's, apart from the processor's
            @Override
            public void deadLettered(FailureReason reason) {
                handlerDeadLetters.add(reason);
            }
        };
        PipelineEvents events = PipelineEvents.NONE;
        batcher = new Batcher(TranslationTopologyTest.inline(engine), settings.batchMaxSize(), settings.batchMaxTokens(), events);
        PlainAvroSerde<TranslationRequest> req = new PlainAvroSerde<>(TranslationRequest.class);
        PlainAvroSerde<TranslationResult> res = new PlainAvroSerde<>(TranslationResult.class);
        PlainAvroSerde<TranslationFailure> fail = new PlainAvroSerde<>(TranslationFailure.class);
        Properties props = new Properties();
        props.putAll(TranslationTopology.streamsProperties(settings, PlainAvroSerde.class.getName()));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-fuzz");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("topology-fuzz").toString());
        props.put(DeadLetterHandler.EVENTS_CONFIG, handlerEvents);
        driver = new TopologyTestDriver(TranslationTopology.build(settings, batcher, ModelRouter.of(engine.modelInfo()), req, res, fail, events), props);
        requests = driver.createInputTopic(settings.requestsTopic(), new StringSerializer(), req.serializer());
        rawRequests = driver.createInputTopic(settings.requestsTopic(), new StringSerializer(), new ByteArraySerializer());
        translations = driver.createOutputTopic(settings.translationsTopic(), new StringDeserializer(), res.deserializer());
        failures = driver.createOutputTopic(settings.failuresTopic(), new StringDeserializer(), fail.deserializer());
    }

    @AfterContainer
    static void stop() {
        driver.close();
        batcher.close();
        engine.close();
    }

    @Property(tries = 250, seed = "20261205")
    void everyInputYieldsExactlyOneOutcome(@ForAll("inputs") Input in) {
        String key = "fuzz-" + KEYS.incrementAndGet();
        int handlerBefore = handlerDeadLetters.size();
        if (in.request() != null) {
            in.request().setId(key);
            requests.pipeInput(key, in.request());
        } else {
            rawRequests.pipeInput(key, in.raw());
        }
        int outcomes = 0;
        for (int tick = 0; tick <= MAX_TICKS && outcomes == 0; tick++) {
            if (tick > 0) {
                driver.advanceWallClockTime(settings.tick());
            }
            outcomes += count(key, translations.readKeyValuesToList()) + count(key, failures.readKeyValuesToList());
            // the handler's own dead letter (undecodable bytes) is seen by its events only, under this driver
            outcomes += handlerDeadLetters.size() - handlerBefore;
            handlerBefore = handlerDeadLetters.size();
        }
        for (int tick = 0; tick < 5; tick++) { // nothing more comes for it later
            driver.advanceWallClockTime(settings.tick());
            outcomes += count(key, translations.readKeyValuesToList()) + count(key, failures.readKeyValuesToList());
        }
        assertEquals(1, outcomes, "outcomes for " + in);
    }

    private static int count(String key, List<? extends org.apache.kafka.streams.KeyValue<String, ?>> out) {
        for (var kv : out) {
            assertEquals(key, kv.key, "an outcome under another record's key");
        }
        return out.size();
    }

    @Provide
    Arbitrary<Input> inputs() {
        Arbitrary<String> texts = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(60),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(300),
                Arbitraries.strings().withChars(" \t\n\u00a0\u200b\ufeff").ofMaxLength(20),
                Arbitraries.strings().all().ofMinLength(1_990).ofMaxLength(2_010));
        Arbitrary<String> languages = Arbitraries.oneOf(
                Arbitraries.just(null), Arbitraries.of("en", "de", "fr", "deu_Latn", "xx-INVALID"),
                Arbitraries.strings().all().ofMaxLength(24));
        Arbitrary<TranslationOptions> options = Arbitraries.oneOf(Arbitraries.just(null),
                Combinators.combine(Arbitraries.integers().between(-2, 12).injectNull(0.3),
                                Arbitraries.integers().between(-1, 600).injectNull(0.3))
                        .as((beams, max) -> TranslationOptions.newBuilder().setNumBeams(beams).setMaxNewTokens(max).build()));
        Arbitrary<String> models = Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.just(engine.modelInfo().name()),
                Arbitraries.strings().alpha().ofMaxLength(10));
        Arbitrary<Input> valid = Combinators.combine(texts, languages, languages, options, models)
                .as((text, source, target, o, model) -> new Input(TranslationRequest.newBuilder().setId("set-later")
                        .setText(text).setSourceLang(source).setTargetLang(target).setOptions(o).setModel(model)
                        .setAttributes(Map.of()).build(), null));
        Arbitrary<Input> raw = Arbitraries.oneOf(Arbitraries.just(new Input(null, null)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64).map(b -> new Input(null, b)));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, valid),
                net.jqwik.api.Tuple.of(1, raw));
    }

    /** A test of the test: the generator makes both kinds of input. */
    @net.jqwik.api.Example
    void theGeneratorMakesRequestsAndRawBytes() {
        List<Input> sample = inputs().sampleStream().limit(200).toList();
        assertTrue(sample.stream().anyMatch(i -> i.request() != null), "requests");
        assertTrue(sample.stream().anyMatch(i -> i.request() == null), "raw values");
    }
}
