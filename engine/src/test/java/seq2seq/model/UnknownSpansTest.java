package seq2seq.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stretches of a text each tokenizer family maps to its unknown id, with their offsets (UTF-16, into the text
 * given), on the real fixtures: tokenizer.json (Unigram, BPE), Marian and M2M100 SentencePiece, a recurrent bundle.
 */
class UnknownSpansTest {
    /** emoji (a surrogate pair), CJK and Arabic in a Latin sentence: chars 6-8, 15-17, 18-23 */
    static final String MIXED = "Hello 😀 world 你好 مرحبا.";
    static final List<UnknownSpan> MIXED_SPANS = List.of(span(6, 8, "😀"), span(15, 17, "你好"), span(18, 23, "مرحبا"));

    private static UnknownSpan span(int start, int end, String text) {
        return new UnknownSpan(start, end, text, -1, -1);
    }

    /** The spans without piece numbers, which differ by tokenizer. */
    private static List<UnknownSpan> found(Tokenizer t, String text) {
        return t.encode(text, 512).unknown().stream().map(s -> span(s.start(), s.end(), s.text())).toList();
    }

    private static void assertSpans(Path bundle, Class<?> family) {
        try (Tokenizer t = Tokenizer.load(bundle)) {
            assertInstanceOf(family, t);
            assertEquals(MIXED_SPANS, found(t, MIXED), bundle + ": " + MIXED);
            Tokenizer.Encoded plain = t.encode("Hello world.", 512);
            assertEquals(List.of(), plain.unknown(), bundle + ": a text it can read has no unknown spans");
            assertEquals(0, plain.unknownPieces());
            Tokenizer.Encoded mixed = t.encode(MIXED, 512);
            assertTrue(mixed.unknownPieces() >= 3, bundle + ": at least one unknown piece a span, got " + mixed.unknownPieces());
            for (UnknownSpan s : mixed.unknown()) {
                assertEquals(s.text(), MIXED.substring(s.start(), s.end()), "a span's text is its stretch of the source");
            }
        }
    }

    @Test
    void unigramTokenizerJson() {
        assertSpans(Path.of("testdata/models/tiny"), HfJsonTokenizer.class);
        assertSpans(Path.of("models/s2s-en-de-small"), HfJsonTokenizer.class);
    }

    @Test
    void bpeTokenizerJson() {
        assertSpans(Path.of("testdata/models/nllb"), HfJsonTokenizer.class);
    }

    @Test
    void marianSentencePiece() {
        assertSpans(Path.of("testdata/models/marian"), SentencePieceTokenizer.class);
    }

    @Test
    void m2m100SentencePiece() {
        assertSpans(Path.of("testdata/models/m2m100"), SentencePieceTokenizer.class);
    }

    @Test
    void marianLanguageCodeKeepsOffsetsIntoTheWholeText() {
        try (Tokenizer t = Tokenizer.load(Path.of("testdata/models/marian"))) {
            assertEquals(List.of(span(13, 15, "😀")), found(t, ">>de<< Hello 😀 world."));
        }
    }

    @Test
    void recurrentCharacters() {
        try (Tokenizer t = RecurrentTokenizer.of(RecurrentManifest.read(Path.of("testdata/models/recurrent")))) {
            assertEquals(MIXED_SPANS, found(t, MIXED));
        }
    }

    /**
     * Decoding a text's own ids with its spans as fills gives the text back, unknown places and spacing included
     * (what copy-through does with the unknown ids a model generates); plain decode loses the spans.
     */
    @Test
    void decodingFillsEachUnknownIdWithItsSpan() {
        for (String bundle : List.of("testdata/models/tiny", "models/s2s-en-de-small", "testdata/models/nllb",
                "testdata/models/marian", "testdata/models/m2m100")) {
            try (Tokenizer t = Tokenizer.load(Path.of(bundle))) {
                for (String text : List.of(MIXED, "😀 Hello world.", "Hello world 😀")) {
                    Tokenizer.Encoded e = t.encode(text, 512);
                    List<String> fills = e.unknown().stream().map(UnknownSpan::text).toList();
                    assertEquals(text, t.decode(e.ids(), fills), bundle + ": " + text);
                    assertEquals(t.decode(e.ids()), t.decode(e.ids(), List.of()), bundle + ": no fills, plain decode");
                    assertTrue(!t.decode(e.ids()).contains("😀"), bundle + ": plain decode drops the unknown");
                }
            }
        }
    }

    /** WordPiece (BERT-style tokenizer.json, written here: no fixture has one): a word it cannot spell is [UNK]. */
    @Test
    void wordPieceTokenizerJson(@TempDir Path dir) throws java.io.IOException {
        String added = "{\"id\": %d, \"content\": \"%s\", \"single_word\": false, \"lstrip\": false, \"rstrip\": false,"
                + " \"normalized\": false, \"special\": true}";
        java.nio.file.Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"truncation\": null,"
                + " \"padding\": null, \"added_tokens\": [" + String.format(added, 0, "[UNK]") + ", "
                + String.format(added, 1, "[SEP]") + "], \"normalizer\": null,"
                + " \"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"},"
                + " \"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}},"
                + " {\"SpecialToken\": {\"id\": \"[SEP]\", \"type_id\": 0}}], \"pair\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}],"
                + " \"special_tokens\": {\"[SEP]\": {\"id\": \"[SEP]\", \"ids\": [1], \"tokens\": [\"[SEP]\"]}}},"
                + " \"decoder\": {\"type\": \"WordPiece\", \"prefix\": \"##\", \"cleanup\": true},"
                + " \"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"continuing_subword_prefix\": \"##\","
                + " \"max_input_chars_per_word\": 100, \"vocab\": {\"[UNK]\": 0, \"[SEP]\": 1, \"hello\": 2, \"world\": 3, \".\": 4}}}");
        try (Tokenizer t = Tokenizer.load(dir)) {
            String text = "hello 😀 world 你好.";
            assertEquals(List.of(span(6, 8, "😀"), span(15, 17, "你好")), found(t, text));
            Tokenizer.Encoded e = t.encode(text, 512);
            assertEquals("hello world.", t.decode(e.ids()));
            assertEquals(text, t.decode(e.ids(), List.of("😀", "你好")));
        }
    }

    /** Adjacent unknown pieces are one span; a byte-level BPE (BART) maps everything and reports nothing. */
    @Test
    void adjacentPiecesMergeAndByteLevelHasNone() {
        try (Tokenizer t = Tokenizer.load(Path.of("testdata/models/tiny"))) {
            assertEquals(List.of(span(0, 6, "🚀🔥👍")), found(t, "🚀🔥👍 ok"));
            assertEquals(List.of(span(3, 5, "🚀"), span(6, 8, "🔥")), found(t, "Go 🚀 🔥!"));
        }
        try (Tokenizer t = Tokenizer.load(Path.of("testdata/models/bart"))) {
            assertEquals(List.of(), found(t, MIXED));
        }
    }

    /** Spans in the part cut off at the input limit are not the encoder's: they are not reported. */
    @Test
    void truncationKeepsTheSpansOfTheKeptTokens() {
        try (Tokenizer t = Tokenizer.load(Path.of("testdata/models/tiny"))) {
            String text = "😀 " + "word ".repeat(50) + "你好";
            Tokenizer.Encoded all = t.encode(text, 512);
            assertEquals(List.of("😀", "你好"), all.unknown().stream().map(UnknownSpan::text).toList());
            Tokenizer.Encoded cut = t.encode(text, 10);
            assertTrue(cut.truncated());
            assertEquals(List.of("😀"), cut.unknown().stream().map(UnknownSpan::text).toList());
        }
    }

    /** PieceOffsets: NFKC-normalised pieces (full-width letters) still land on their source chars. */
    @Test
    void pieceOffsetsFollowNormalisation() {
        int[][] at = PieceOffsets.of("Ｈｉ 😀 x", new String[] {"▁Hi", "▁", "😀", "▁x"});
        assertEquals(List.of(List.of(0, 2), List.of(3, 3), List.of(3, 5), List.of(6, 7)),
                java.util.Arrays.stream(at).map(a -> List.of(a[0], a[1])).toList());
    }
}
