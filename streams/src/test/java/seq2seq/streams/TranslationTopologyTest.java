package seq2seq.streams;

import org.apache.kafka.common.serialization.ByteArraySerializer;
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
import seq2seq.avro.TranslationOptions;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.generation.TranslationTask;
import seq2seq.generation.Translator;
import seq2seq.streams.state.MemoryEntry;
import seq2seq.streams.state.MemoryKey;
import seq2seq.streams.text.Segmenter;
import seq2seq.streams.text.SplitText;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Each path through the topology, on Kafka's TopologyTestDriver with the production configuration (exactly_once_v2),
 * the real batcher and the real engine (tiny test model) running inline: a batch is translated inside the call that
 * sends it, so each test advances the wall clock and reads the outputs, with no sleeps and no waiting.
 */
@Timeout(120)
class TranslationTopologyTest {
    /** wall-clock steps a test lets pass for its outputs: the linger time in ticks, and more */
    private static final int MAX_TICKS = 50;
    static final Path TINY_MODEL = Path.of("testdata/models/tiny");
    private static Engine engine;

    @TempDir
    Path stateDir;

    private Translator translator = inline(engine);
    /** sizes of the batches the engine ran */
    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    /** what the pipeline reported: records read, dead letters by reason */
    private final java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
    private final List<FailureReason> deadLettered = new CopyOnWriteArrayList<>();
    private Batcher batcher;
    private TopologyTestDriver driver;
    private TestInputTopic<String, TranslationRequest> requests;
    private TestInputTopic<String, byte[]> rawRequests;
    private TestOutputTopic<String, TranslationResult> translations;
    private TestOutputTopic<String, TranslationFailure> failures;
    private PipelineSettings settings;

    private void start(PipelineSettings s) {
        settings = s;
        PipelineEvents events = new PipelineEvents() {
            @Override
            public void batchDone(String model, int segments, int tokens, long nanos) {
                batchSizes.add(segments);
            }

            @Override
            public void received() {
                received.incrementAndGet();
            }

            @Override
            public void deadLettered(FailureReason reason) {
                deadLettered.add(reason);
            }
        };
        if (batcher == null) {
            batcher = new Batcher(translator, s.batchMaxSize(), s.batchMaxTokens(), events);
        }
        PlainAvroSerde<TranslationRequest> req = new PlainAvroSerde<>(TranslationRequest.class);
        PlainAvroSerde<TranslationResult> res = new PlainAvroSerde<>(TranslationResult.class);
        PlainAvroSerde<TranslationFailure> fail = new PlainAvroSerde<>(TranslationFailure.class);
        Properties props = new Properties();
        props.putAll(TranslationTopology.streamsProperties(s, PlainAvroSerde.class.getName()));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(DeadLetterHandler.EVENTS_CONFIG, events);
        driver = new TopologyTestDriver(TranslationTopology.build(s, batcher, ModelRouter.of(translator.modelInfo()), req, res, fail, events), props);
        requests = driver.createInputTopic(s.requestsTopic(), new StringSerializer(), req.serializer());
        rawRequests = driver.createInputTopic(s.requestsTopic(), new StringSerializer(), new ByteArraySerializer());
        translations = driver.createOutputTopic(s.translationsTopic(), new StringDeserializer(), res.deserializer());
        failures = driver.createOutputTopic(s.failuresTopic(), new StringDeserializer(), fail.deserializer());
    }

    @BeforeAll
    static void loadEngine() {
        engine = Engine.load(TINY_MODEL, EngineOptions.defaults());
    }

    /** The engine as a translator that finishes each batch inside {@code submit} (Translator's default). */
    static Translator inline(Engine engine) {
        return new Translator() {
            @Override
            public List<seq2seq.generation.Translation> translate(List<TranslationTask> tasks) {
                return engine.translate(tasks);
            }

            @Override
            public seq2seq.generation.ModelInfo modelInfo() {
                return engine.modelInfo();
            }

            @Override
            public void close() {
                engine.close();
            }
        };
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
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

    private static TranslationRequest request(String id, String text) {
        return TranslationRequest.newBuilder().setId(id).setText(text).setAttributes(Map.of("k", id)).build();
    }

    private void send(String id, String text) {
        requests.pipeInput(id, request(id, text));
    }

    /** Lets wall-clock time pass (punctuators run) until {@code n} translations are out; fails after {@link #MAX_TICKS}. */
    private List<KeyValue<String, TranslationResult>> awaitTranslations(int n) {
        List<KeyValue<String, TranslationResult>> out = new ArrayList<>(translations.readKeyValuesToList());
        for (int tick = 0; out.size() < n; tick++) {
            if (tick == MAX_TICKS) {
                fail("expected " + n + " translations within " + MAX_TICKS + " ticks, got " + out.size());
            }
            driver.advanceWallClockTime(settings.tick());
            out.addAll(translations.readKeyValuesToList());
        }
        assertTrue(translations.isEmpty(), "more translations than expected");
        return out;
    }

    /** Advances the wall clock {@code steps} times by {@code step} and checks nothing came out. */
    private void assertNothingFor(int steps, Duration step) {
        for (int i = 0; i < steps; i++) {
            driver.advanceWallClockTime(step);
        }
        assertTrue(translations.isEmpty(), "nothing should be translated yet");
    }

    /** what the engine makes of one segment alone (a batch of one, as in the pipeline when it is alone) */
    private String expected(String text) {
        return translator.translate(List.of(TranslationTask.of(text))).get(0).text();
    }

    /** the translation memory's entry for a segment translated with the model's defaults */
    private MemoryEntry remembered(String segment) {
        return driver.<byte[], MemoryEntry>getKeyValueStore(StoreNames.MEMORY)
                .get(MemoryKey.of(translator.modelInfo().name(), translator.modelInfo().version(), null, null, null, null, segment));
    }

    @Test
    void aMissIsTranslatedAndTheKeyAndFieldsAreKept() {
        start(PipelineSettings.defaults());
        send("id-1", "The cat sleeps.");
        KeyValue<String, TranslationResult> out = awaitTranslations(1).get(0);
        assertEquals("id-1", out.key);
        TranslationResult r = out.value;
        assertEquals("id-1", r.getId());
        assertEquals(expected("The cat sleeps."), r.getText());
        assertEquals("The cat sleeps.", r.getSourceText());
        assertFalse(r.getCached());
        assertEquals(1, r.getSegments());
        assertEquals(Map.of("k", "id-1"), r.getAttributes());
        assertEquals(translator.modelInfo().version(), r.getModelVersion());
        assertTrue(r.getInputTokens() > 0);
        assertEquals(r.getText(), remembered("The cat sleeps.").text(), "remembered");
        assertTrue(failures.isEmpty());
        assertEquals(0, driver.getKeyValueStore(StoreNames.BUFFER).approximateNumEntries(), "buffer emptied");
    }

    @Test
    void aHitIsAnsweredFromTheMemoryWithoutTheEngine() {
        start(PipelineSettings.defaults());
        send("a", "Good morning.");
        TranslationResult first = awaitTranslations(1).get(0).value;
        int batches = batchSizes.size();
        send("b", "  Good   morning. "); // same sentence once whitespace is normalised
        List<KeyValue<String, TranslationResult>> out = translations.readKeyValuesToList();
        assertEquals(1, out.size(), "a hit with nothing buffered is forwarded at once");
        TranslationResult second = out.get(0).value;
        assertTrue(second.getCached());
        assertEquals("  " + first.getText() + " ", second.getText(), "original spacing kept around the sentence");
        assertEquals(batches, batchSizes.size(), "the engine was not called for the hit");
    }

    /** The memory answers only the same request: other beams, token caps or languages are translated anew. */
    @Test
    void theMemoryMissesWhenOptionsOrLanguagesDiffer() {
        start(PipelineSettings.defaults());
        String text = "The cat sleeps.";
        List<TranslationRequest> variants = List.of(
                request("plain", text),
                withOptions(request("beams-2", text), 2, null),
                withOptions(request("max-5", text), null, 5),
                withLanguages(request("from-en", text), "en", null),
                withLanguages(request("to-de", text), null, "de"),
                withLanguages(withOptions(request("all", text), 2, 5), "en", "de"));
        for (TranslationRequest r : variants) {
            int batches = batchSizes.size();
            requests.pipeInput(r.getId(), r);
            TranslationResult out = awaitTranslations(1).get(0).value;
            assertFalse(out.getCached(), r.getId() + " is not answered from another request's memory entry");
            assertEquals(batches + 1, batchSizes.size(), r.getId() + " calls the engine");
        }
        for (TranslationRequest r : variants) {
            int batches = batchSizes.size();
            TranslationRequest again = TranslationRequest.newBuilder(r).setId(r.getId() + "-again").build();
            requests.pipeInput(again.getId(), again);
            TranslationResult out = awaitTranslations(1).get(0).value;
            assertTrue(out.getCached(), again.getId() + " is the same request: the memory answers it");
            assertEquals(batches, batchSizes.size(), again.getId() + " does not call the engine");
        }
    }

    @Test
    void theMemoryKeyNamesTheModelVersion() {
        byte[] v1 = MemoryKey.of("version-1", "en", "de", 4, 20, "The cat sleeps.");
        assertArrayEquals(v1, MemoryKey.of("version-1", "en", "de", 4, 20, "The cat sleeps."));
        assertFalse(java.util.Arrays.equals(v1, MemoryKey.of("version-2", "en", "de", 4, 20, "The cat sleeps.")),
                "another model version never gets this version's entry");
    }

    private static TranslationRequest withOptions(TranslationRequest r, Integer beams, Integer maxNewTokens) {
        r.setOptions(TranslationOptions.newBuilder().setNumBeams(beams).setMaxNewTokens(maxNewTokens).build());
        return r;
    }

    private static TranslationRequest withLanguages(TranslationRequest r, String source, String target) {
        r.setSourceLang(source);
        r.setTargetLang(target);
        return r;
    }

    @Test
    void aBatchRunsWhenItReachesTheBatchSize() {
        start(PipelineSettings.defaults().withBatching(3, 10_000, Duration.ofHours(1)));
        send("1", "One.");
        send("2", "Two.");
        assertNothingFor(10, Duration.ofMillis(50));
        assertTrue(batchSizes.isEmpty());
        send("3", "Three.");
        List<KeyValue<String, TranslationResult>> out = awaitTranslations(3);
        assertEquals(List.of("1", "2", "3"), out.stream().map(kv -> kv.key).toList());
        assertEquals(List.of(3), batchSizes);
    }

    @Test
    void aBatchRunsWhenItsLingerTimeEnds() {
        start(PipelineSettings.defaults().withBatching(100, 10_000, Duration.ofSeconds(10)));
        send("1", "One.");
        send("2", "Two.");
        assertNothingFor(9, Duration.ofSeconds(1)); // 9 s of wall clock: not yet
        assertTrue(batchSizes.isEmpty());
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        List<KeyValue<String, TranslationResult>> out = awaitTranslations(2);
        assertEquals(List.of("1", "2"), out.stream().map(kv -> kv.key).toList());
        assertEquals(List.of(2), batchSizes);
    }

    @Test
    void withALatencyTargetEveryRequestIsStillAnsweredInArrivalOrder() {
        PipelineSettings s = PipelineSettings.defaults().withBatching(4, 10_000, Duration.ofMillis(50))
                .withLatencyTarget(Duration.ofSeconds(5));
        List<Integer> chosen = new CopyOnWriteArrayList<>();
        PipelineEvents choices = new PipelineEvents() {
            @Override
            public void batchTargetChosen(String model, int maxSegments, long lingerNanos, boolean reachable) {
                chosen.add(maxSegments);
            }
        };
        batcher = new Batcher(List.of(translator), s.batchMaxSize(), s.batchMaxTokens(), choices,
                new LatencyTarget(s, Duration.ZERO, choices));
        start(s);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4 * LatencyTarget.MIN_SAMPLES; i++) { // past the batches it learns from: its choices too
            String id = "r" + i;
            ids.add(id);
            send(id, "Sentence number " + i + (i % 5 == 0 ? " and a few more words to make it longer." : "."));
            if (i % 3 == 0) {
                driver.advanceWallClockTime(Duration.ofMillis(60)); // past the linger: batches of several sizes
            }
        }
        List<KeyValue<String, TranslationResult>> out = awaitTranslations(ids.size());
        assertEquals(ids, out.stream().map(kv -> kv.key).toList());
        assertFalse(chosen.isEmpty(), "the target chose the batches after it had learnt");
    }

    @Test
    void outputsKeepThePartitionsArrivalOrderAcrossHitsAndMisses() {
        start(PipelineSettings.defaults().withBatching(4, 10_000, Duration.ofMillis(50)));
        send("warm", "Known sentence.");
        awaitTranslations(1);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String id = "r" + i;
            ids.add(id);
            send(id, i % 3 == 1 ? "Known sentence." : "Sentence number " + i + ".");
        }
        List<KeyValue<String, TranslationResult>> out = awaitTranslations(12);
        assertEquals(ids, out.stream().map(kv -> kv.key).toList());
        assertTrue(out.get(1).value.getCached(), "the hit waited for the miss before it and was still a hit");
        assertFalse(out.get(0).value.getCached());
    }

    @Test
    void longTextIsSplitIntoSentencesAndReassembledWithItsSpacing() {
        start(PipelineSettings.defaults().withLimits(10_000, 40));
        String text = "  First sentence here.  Second one?\n\nThird: a much longer sentence that goes past forty characters for sure.\t";
        send("long", text);
        TranslationResult r = awaitTranslations(1).get(0).value;
        SplitText split = new Segmenter(40).split(text, null);
        assertEquals(List.of("First sentence here.", "Second one?", "Third: a much longer sentence that goes",
                "past forty characters for sure."), split.segments());
        assertEquals(List.of("  ", "  ", "\n\n", " ", "\t"), split.gaps());
        List<String> parts = split.segments().stream().map(seg -> remembered(seg).text()).toList();
        assertEquals(split.reassemble(parts), r.getText());
        assertEquals(4, r.getSegments());
    }

    @Test
    void emptyAndBlankTextGetAnEmptyTranslation() {
        start(PipelineSettings.defaults());
        send("empty", "");
        send("blank", " \n\t ");
        List<KeyValue<String, TranslationResult>> out = translations.readKeyValuesToList();
        assertEquals(2, out.size());
        for (var kv : out) {
            assertEquals("", kv.value.getText());
            assertEquals(0, kv.value.getSegments());
        }
    }

    @Test
    void undecodableBytesAndTombstonesAreDeadLetteredWithTheirRawBytes() {
        start(PipelineSettings.defaults());
        byte[] garbage = {(byte) 0xff, 0x00, 0x13, 0x37, (byte) 0xfe};
        send("ok", "Still running.");
        rawRequests.pipeInput("bad", garbage);
        rawRequests.pipeInput("tomb", (byte[]) null);
        awaitTranslations(1);
        // TopologyTestDriver 4.3.1 under exactly_once_v2 drops the records that the deserialization handler produces
        // (the handler runs: the events below see it); that record, raw bytes and all, is checked against a real
        // broker in HostileInputTest. The tombstone is dead-lettered by the processor and arrives here.
        Map<String, TranslationFailure> dead = new java.util.HashMap<>();
        failures.readKeyValuesToList().forEach(kv -> dead.put(kv.key, kv.value));
        TranslationFailure tomb = dead.get("tomb");
        assertNotNull(tomb, "the tombstone is dead-lettered: " + dead);
        assertEquals(FailureReason.SCHEMA, tomb.getError());
        assertEquals(settings.requestsTopic(), tomb.getSourceTopic());
        assertEquals(2L, tomb.getSourceOffset());
        assertArrayEquals("tomb".getBytes(StandardCharsets.UTF_8), bytes(tomb.getRawKey()));
        assertNull(tomb.getId());
        assertEquals(List.of(FailureReason.DESERIALIZATION, FailureReason.SCHEMA), deadLettered,
                "the undecodable record reaches the dead-letter handler, and the metrics see both");
        assertEquals(3, received.get(), "records in: the two dead letters and the good one");
    }

    @Test
    void tooLongUnknownModelUnsupportedLanguageAndBadOptionsAreDeadLettered() {
        start(PipelineSettings.defaults().withLimits(100, 40).withLanguages(java.util.Set.of("en"), java.util.Set.of("de")));
        TranslationRequest tooLong = request("long", "x".repeat(101));
        TranslationRequest otherModel = request("model", "Hello.");
        otherModel.setModel("no-such-model");
        TranslationRequest beams = request("beams", "Hello.");
        beams.setOptions(TranslationOptions.newBuilder().setNumBeams(0).build());
        TranslationRequest french = request("french", "Hello.");
        french.setTargetLang("fr");
        TranslationRequest garbled = request("garbled", "Hello.");
        garbled.setSourceLang("en'; DROP TABLE x; --");
        TranslationRequest fine = request("fine", "Hello.");
        fine.setSourceLang("en");
        fine.setTargetLang("de");
        for (TranslationRequest r : List.of(tooLong, otherModel, beams, french, garbled, fine)) {
            requests.pipeInput(r.getId(), r);
        }
        List<KeyValue<String, TranslationFailure>> dead = failures.readKeyValuesToList();
        assertEquals(List.of(FailureReason.TOO_LONG, FailureReason.UNKNOWN_MODEL, FailureReason.SCHEMA,
                        FailureReason.UNSUPPORTED_LANGUAGE, FailureReason.UNSUPPORTED_LANGUAGE),
                dead.stream().map(kv -> kv.value.getError()).toList());
        assertEquals(List.of("long", "model", "beams", "french", "garbled"), dead.stream().map(kv -> kv.value.getId()).toList());
        for (var kv : dead) {
            assertNotNull(kv.value.getRawValue(), "raw bytes kept for replay");
            assertTrue(kv.value.getMessage().contains("id " + kv.key), kv.value.getMessage());
        }
        assertTrue(dead.get(3).value.getMessage().contains("target_lang 'fr' is not supported here; accepted: de"), dead.get(3).value.getMessage());
        assertEquals(tooLong, new PlainAvroSerde<>(TranslationRequest.class).deserializer()
                .deserialize("t", bytes(dead.get(0).value.getRawValue())), "the raw value replays to the same request");
        assertEquals("fine", awaitTranslations(1).get(0).key);
    }

    @Test
    void anEngineFailureIsDeadLetteredAsInference() {
        Engine closed = Engine.load(TINY_MODEL, EngineOptions.defaults());
        closed.close(); // a closed engine fails every task
        translator = inline(closed);
        start(PipelineSettings.defaults());
        send("x", "Nobody translates this.");
        for (int tick = 0; failures.isEmpty() && tick < MAX_TICKS; tick++) {
            driver.advanceWallClockTime(settings.tick());
        }
        TranslationFailure f = failures.readValue();
        assertEquals(FailureReason.INFERENCE, f.getError());
        assertEquals("x", f.getId());
        assertTrue(translations.isEmpty());
    }

    @Test
    void theMemoryIsTrimmedToItsSizeAndAge() {
        start(PipelineSettings.defaults().withMemory(true, 2, Duration.ofHours(1)));
        for (int i = 0; i < 4; i++) {
            send("m" + i, "Sentence " + i + ".");
            awaitTranslations(1);
            driver.advanceWallClockTime(Duration.ofSeconds(1)); // distinct store times: the oldest go first
        }
        assertEquals(4, memoryEntries());
        driver.advanceWallClockTime(Duration.ofMinutes(1)); // the cleanup punctuator runs
        assertEquals(2, memoryEntries());
        assertNotNull(remembered("Sentence 3."), "the newest stay");
        assertNull(remembered("Sentence 0."), "the oldest go");
        driver.advanceWallClockTime(Duration.ofHours(1));
        assertEquals(0, memoryEntries(), "all past their age");
    }

    @Test
    void repartitioningByContentKeepsEachRequestsKey() {
        start(PipelineSettings.defaults().withRepartitionByContent(true));
        send("k1", "The same sentence.");
        awaitTranslations(1);
        send("k2", "The  same sentence.");
        List<KeyValue<String, TranslationResult>> out = awaitTranslations(1);
        assertEquals("k2", out.get(0).key);
        assertEquals("k2", out.get(0).value.getId());
        assertTrue(out.get(0).value.getCached());
    }

    private int memoryEntries() {
        int n = 0;
        try (var it = driver.<byte[], MemoryEntry>getKeyValueStore(StoreNames.MEMORY).all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
