package seq2seq.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.generation.GenerationOptions;
import seq2seq.generation.Hypothesis;
import seq2seq.generation.TranslationTask;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The manifest variants the replica bundles do not cover: word level, no unknown index, source.pad_to_length. */
@Timeout(120)
class RecurrentManifestVariantsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path RECURRENT = Path.of("testdata/models/recurrent").toAbsolutePath();

    @TempDir
    Path tmp;

    private Path copy(java.util.function.Consumer<ObjectNode> edit) throws IOException {
        Path dir = tmp.resolve("recurrent");
        Files.createDirectories(dir);
        for (String f : new String[] {"encoder.onnx", "decoder_step.onnx"}) {
            Files.copy(RECURRENT.resolve(f), dir.resolve(f));
        }
        ObjectNode m = (ObjectNode) JSON.readTree(RECURRENT.resolve("manifest.json").toFile());
        edit.accept(m);
        JSON.writeValue(dir.resolve("manifest.json").toFile(), m);
        return dir;
    }

    @Test
    void wordLevelSplitsAtWhiteSpaceAndJoinsWithOneSpace() throws IOException {
        Path dir = copy(m -> {
            m.put("level", "word");
            ObjectNode src = (ObjectNode) m.get("source");
            src.remove("characters");
            src.putArray("tokens").add("the").add("cat").add("sleeps");
            ObjectNode tgt = (ObjectNode) m.get("target");
            tgt.remove("characters");
            tgt.putArray("tokens").add("<s>").add("</s>").add("die").add("Katze").add("schläft");
            tgt.put("start_token", "<s>").put("stop_token", "</s>");
        });
        RecurrentTokenizer t = RecurrentTokenizer.of(RecurrentManifest.read(dir));
        assertArrayEquals(new long[] {1, 2, 0, 3}, t.ids("  the cat\tdog   sleeps "), "first_index 1, unknown 0");
        assertEquals(1, t.unknownCount());
        assertEquals(List.of("dog"), List.copyOf(t.unknownTokens().keySet()));
        assertEquals(List.of(new UnknownSpan(10, 13, "dog", 2, 1)), t.encode("  the cat\tdog   sleeps ", 10).unknown(),
                "the unknown word and where it stands");
        assertEquals("die Katze schläft", t.decode(new long[] {0, 2, 3, 4, 1}));
        assertEquals(0, t.ids(" \t ").length);
        Tokenizer.Encoded e = t.encode("the cat sleeps", 2);
        assertTrue(e.truncated());
        assertEquals(3, e.fullLength());
        assertArrayEquals(new long[] {1, 2}, e.ids());
    }

    @Test
    void withoutAnUnknownIndexUnknownCharactersAreLeftOutAndCounted() throws IOException {
        Path dir = copy(m -> ((ObjectNode) m.get("source")).remove("unknown_index"));
        RecurrentTokenizer t = RecurrentTokenizer.of(RecurrentManifest.read(dir));
        long[] withSnowman = t.ids("a☃b");
        assertArrayEquals(t.ids("ab"), withSnowman);
        assertEquals(1, t.unknownCount());
        assertEquals(List.of("☃☃"), t.encode("a☃☃b", 10).unknown().stream().map(UnknownSpan::text).toList(),
                "left out, still named: neighbours merge");
    }

    @Test
    void padToLengthPadsEverySourceOnTheGivenSideAndCutsThere() throws Exception {
        int padTo = 40;
        Path dir = copy(m -> ((ObjectNode) m.get("source")).put("pad_to_length", padTo).put("padding_index", 1)
                .put("padding_side", "right"));
        List<String> texts = List.of("Hello world.", "Where is the nearest train station?", "A");
        try (Engine padded = Engine.load(dir, EngineOptions.builder().numBeams(1).build());
             Engine plain = Engine.load(RECURRENT, EngineOptions.builder().numBeams(1).build())) {
            assertEquals(padTo, padded.modelInfo().maxInputTokens(), "pad_to_length is the longest source");
            GenerationOptions o = plain.defaults();
            for (String text : texts) {
                // the padded engine on the text = the plain engine on the text padded by hand (index 1 is " ")
                long[] ids = plain.tokenizer().ids(text);
                long[] byHand = Arrays.copyOf(ids, padTo);
                Arrays.fill(byHand, ids.length, padTo, 1L);
                Hypothesis expected = plain.generateBatch(List.of(byHand), o).get(0).get(0);
                Hypothesis got = padded.generate(List.of(ids), o).get(0).get(0);
                assertArrayEquals(expected.tokens(), got.tokens(), text);
            }
            // batched: all the same padded length, so the same as one by one
            List<long[]> sources = texts.stream().map(padded.tokenizer()::ids).toList();
            List<List<Hypothesis>> batch = padded.generateBatch(sources, o);
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(padded.generateBatch(List.of(sources.get(i)), o).get(0).get(0).tokens(),
                        batch.get(i).get(0).tokens(), texts.get(i));
            }
            var t = padded.translate(List.of(TranslationTask.of("x".repeat(padTo + 5)))).get(0);
            assertTrue(t.truncated());
            assertEquals(padTo, t.inputTokens());
        }
    }

    @Test
    void padToLengthNeedsAPaddingIndex() throws IOException {
        Path dir = copy(m -> {
            ((ObjectNode) m.get("source")).put("pad_to_length", 40);
            ((ObjectNode) m.get("source")).remove("padding_index");
        });
        BundleException e = org.junit.jupiter.api.Assertions.assertThrows(BundleException.class,
                () -> RecurrentManifest.read(dir));
        assertTrue(e.getMessage().contains("field \"source.padding_index\": missing"), e.getMessage());
    }
}
