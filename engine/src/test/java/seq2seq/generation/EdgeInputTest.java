package seq2seq.generation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Empty, blank, over-long and odd inputs have defined results; results come in input order; threads share one engine. */
@Timeout(300)
class EdgeInputTest {
    private static Engine engine;

    @BeforeAll
    static void load() {
        engine = Engine.load(TestModels.tiny(), EngineOptions.builder().numBeams(1).build());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void emptyAndWhitespaceGiveEmptyOutputWithoutRunningTheModel() {
        List<Translation> out = engine.translate(List.of(TranslationTask.of(""), TranslationTask.of(" \t\n "),
                TranslationTask.of("\u00a0\u2003\u200b\ufeff")));
        for (Translation t : out) {
            assertEquals("", t.text());
            assertEquals(0, t.inputTokens());
            assertEquals(0, t.outputTokens());
            assertFalse(t.truncated());
            assertNull(t.error());
            assertNull(t.times(), "no phase times: the model did not run");
        }
    }

    @Test
    void aTranslationSaysWhenItsBatchEncodedAndDecoded() {
        long before = System.nanoTime();
        List<Translation> out = engine.translate(List.of(TranslationTask.of("The house is small."),
                TranslationTask.of("Open the file.")));
        long after = System.nanoTime();
        for (Translation t : out) {
            ComputeTimes c = t.times();
            assertTrue(before <= c.encodeStartNanos() && c.encodeStartNanos() <= c.decodeStartNanos()
                    && c.decodeStartNanos() <= c.endNanos() && c.endNanos() <= after, c.toString());
        }
    }

    @Test
    void inputLongerThanTheModelMaximumIsTruncatedAndFlagged() {
        int max = engine.modelInfo().maxInputTokens();
        String longText = "The file could not be opened because the disk is full. ".repeat(max);
        Translation t = engine.translate(List.of(TranslationTask.of(longText))).get(0);
        assertNull(t.error());
        assertTrue(t.truncated());
        assertEquals(max, t.inputTokens());
        // the end marker stays after the cut
        long[] ids = engine.translateDetailed(List.of(TranslationTask.of(longText))).get(0).sourceIds();
        assertEquals(engine.bundle().config.eosTokenId(), ids[ids.length - 1]);
        Translation shortOne = engine.translate(List.of(TranslationTask.of("Hello world."))).get(0);
        assertFalse(shortOne.truncated());
    }

    @Test
    void oddCharactersNullsAndBadOptionsFailOnlyTheirOwnTask() {
        List<TranslationTask> tasks = new ArrayList<>();
        tasks.add(TranslationTask.of("\u0000\u0001 \uFFFF \uD83D\uDE00 <unk> </s> <pad>"));
        tasks.add(new TranslationTask(null, null, null, null, null));
        tasks.add(new TranslationTask("Hello world.", null, null, 0, null));
        tasks.add(TranslationTask.of("Hello world."));
        List<Translation> out = engine.translate(tasks);
        assertNull(out.get(0).error());
        assertNotNull(out.get(1).error());
        assertTrue(out.get(2).error().contains("numBeams"), out.get(2).error());
        assertNull(out.get(3).error());
        assertTrue(out.get(3).outputTokens() > 0);
    }

    @Test
    void resultsComeInInputOrderWhateverTheBatching() {
        List<String> inputs = TestModels.parityInputs();
        List<TranslationTask> tasks = inputs.stream().map(TranslationTask::of).toList();
        List<Translation> batched = engine.translate(tasks);
        try (Engine oneByOne = Engine.load(TestModels.tiny(), EngineOptions.builder().numBeams(1).maxBatchSize(1).build())) {
            for (int i = 0; i < inputs.size(); i += 7) {
                Translation alone = oneByOne.translate(List.of(tasks.get(i))).get(0);
                assertEquals(alone.text(), batched.get(i).text(), "line " + (i + 1));
            }
        }
    }

    @Test
    void threadsShareOneEngine() throws Exception {
        List<TranslationTask> tasks = TestModels.parityInputs().stream().limit(12).map(TranslationTask::of).toList();
        List<String> expected = engine.translate(tasks).stream().map(Translation::text).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Translation>>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> engine.translate(tasks)));
            }
            for (Future<List<Translation>> f : futures) {
                assertEquals(expected, f.get(120, TimeUnit.SECONDS).stream().map(Translation::text).toList());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTargetLanguageTheTokenizerKnowsIsForcedAsTheFirstToken(@TempDir Path tmp) throws Exception {
        // a copy of the tiny bundle whose piece 900 is the M2M100-style language token "__de__"
        Path dir = tmp.resolve("multi");
        Files.createDirectories(dir.resolve("onnx"));
        for (String f : new String[] {"config.json", "generation_config.json", "tokenizer_config.json",
                "onnx/encoder_model.onnx", "onnx/decoder_model_merged.onnx"}) {
            Files.copy(TestModels.tiny().resolve(f), dir.resolve(f));
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode tok = (ObjectNode)
                json.readTree(TestModels.tiny().resolve("tokenizer.json").toFile());
        ((ArrayNode) tok.get("model").get("vocab").get(900)).set(0, "__de__");
        tok.withArray("added_tokens").addObject().put("id", 900).put("content", "__de__").put("single_word", false)
                .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        json.writeValue(dir.resolve("tokenizer.json").toFile(), tok);
        try (Engine multi = Engine.load(dir, EngineOptions.builder().numBeams(1).build())) {
            List<DetailedTranslation> out = multi.translateDetailed(List.of(
                    new TranslationTask("Hello world.", "en", "de", null, null),
                    new TranslationTask("Hello world.", "en", "xx", null, null),
                    TranslationTask.of("Hello world.")));
            assertEquals(900, out.get(0).outputIds()[0]);
            assertEquals(Arrays.toString(out.get(2).outputIds()), Arrays.toString(out.get(1).outputIds()), "unknown language: ignored");
        }
    }

    @Test
    void perTaskBeamsAndLengthCapsAreHonoured() {
        List<Translation> out = engine.translate(List.of(new TranslationTask("Hello world.", null, null, 4, 3),
                new TranslationTask("Hello world.", null, null, 1, 2)));
        assertTrue(out.get(0).outputTokens() <= 3, out.get(0).toString());
        assertTrue(out.get(1).outputTokens() <= 2, out.get(1).toString());
        assertTrue(Arrays.asList(out.get(0).score(), out.get(1).score()).stream().allMatch(s -> s != null && s <= 0));
    }
}
