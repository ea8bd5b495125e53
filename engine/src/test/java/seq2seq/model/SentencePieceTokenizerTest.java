package seq2seq.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Marian and M2M100 layouts built from tiny-spm.model (vocab.json = its pieces in SentencePiece order). */
class SentencePieceTokenizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** source.spm = target.spm = tiny-spm.model, vocab.json in its order, tokenizer_config.json as opus-mt's. */
    static Path marian(Path dir) throws IOException {
        Files.copy(Golden.DIR.resolve("tiny-spm.model"), dir.resolve("source.spm"));
        Files.copy(Golden.DIR.resolve("tiny-spm.model"), dir.resolve("target.spm"));
        writeVocab(dir.resolve("vocab.json"), 0);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"tokenizer_class\":\"MarianTokenizer\",\"eos_token\":\"</s>\","
                + "\"unk_token\":\"<unk>\",\"pad_token\":\"<pad>\",\"model_max_length\":512,\"separate_vocabs\":false}");
        return dir;
    }

    static void writeVocab(Path file, int extra) throws IOException {
        SentencePieceModel m = SentencePieceModel.read(Golden.DIR, "tiny-spm.model");
        ObjectNode v = JSON.createObjectNode();
        for (int i = 0; i < m.pieces.size(); i++) {
            v.put(m.pieces.get(i).piece(), i);
        }
        for (int i = 0; i < extra; i++) {
            v.put("<extra_" + i + ">", m.pieces.size() + i);
        }
        JSON.writeValue(file.toFile(), v);
    }

    @Test
    void marianEqualsSentencePieceAndTheTokenizerJsonPath(@TempDir Path dir) throws IOException {
        marian(dir);
        Path tinyJson = Golden.MAIN.resolve("testdata/models/tiny/tokenizer.json");
        int sameAsJson = 0, compared = 0;
        List<String> bad = new ArrayList<>();
        List<String> jsonDiffers = new ArrayList<>();
        try (Tokenizer t = Tokenizer.load(dir);
             HfJsonTokenizer json = Files.isRegularFile(tinyJson) ? HfJsonTokenizer.load(tinyJson.getParent(), tinyJson) : null) {
            assertInstanceOf(SentencePieceTokenizer.class, t);
            for (JsonNode row : Golden.ROWS) {
                String text = row.get("text").textValue();
                if (text.startsWith(">>") && text.contains("<<")) {
                    continue; // Marian reads a leading >>xx<< as one token: checked below
                }
                compared++;
                long[] want = Golden.plus(Golden.ids(row, "tiny"), 1);
                long[] got = t.ids(text);
                if (!Arrays.equals(want, got)) {
                    bad.add(Golden.show(text) + " want " + Arrays.toString(want) + " got " + Arrays.toString(got));
                }
                if (json != null) {
                    if (Arrays.equals(json.ids(text), got)) {
                        sameAsJson++;
                    } else {
                        jsonDiffers.add(Golden.show(text));
                    }
                }
                // decoding gives SentencePiece's text back where nothing was unknown
                if (Arrays.stream(want).noneMatch(id -> id == 2)) {
                    assertEquals(SentencePieceTokenizer.pythonStrip(row.get("tiny_decoded").textValue()), t.decode(got),
                            Golden.show(text));
                }
            }
        }
        assertEquals(List.of(), bad);
        System.out.println("Marian layout: " + compared + " strings equal to SentencePiece; tokenizer.json path equal on "
                + sameAsJson + ", differs on " + jsonDiffers);
        if (Files.isRegularFile(tinyJson)) {
            jsonDiffers.removeIf(s -> s.contains("</s>") || s.contains("<pad>") || s.contains("<unk>"));
            assertTrue(jsonDiffers.size() <= 10, "tokenizer.json path differs on " + jsonDiffers);
        }
    }

    @Test
    void marianLanguageCodeAndTruncation(@TempDir Path dir) throws IOException {
        marian(dir);
        try (Tokenizer t = Tokenizer.load(dir)) {
            long[] plain = t.ids("Hello world.");
            long[] coded = t.ids(">>de<< Hello world.");
            assertEquals(plain.length + 1, coded.length);
            assertEquals(2, coded[0]); // ">>de<<" is not in this vocab: unk
            Tokenizer.Encoded e = t.encode("Hello world. " + "This is a rather long sentence. ".repeat(10), 8);
            assertEquals(8, e.ids().length);
            assertTrue(e.truncated());
            assertEquals(1, e.ids()[7]);
            assertEquals(7, e.textTokens());
            assertEquals(0, t.encode("", 8).textTokens());
            assertArrayEquals(new long[] {1}, t.ids(""));
            assertEquals(1, t.tokenId("</s>"));
            assertEquals(null, t.tokenId("Hello"));
            assertEquals("Hello world.", t.decode(plain));
        }
    }

    @Test
    void m2m100LanguageTokens(@TempDir Path dir) throws IOException {
        Files.copy(Golden.DIR.resolve("tiny-spm.model"), dir.resolve("sentencepiece.bpe.model"));
        writeVocab(dir.resolve("vocab.json"), 4); // 1004 entries: __af__ = 1004, __en__ = 1004 + 18
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"tokenizer_class\":\"M2M100Tokenizer\",\"src_lang\":\"en\"}");
        try (Tokenizer t = Tokenizer.load(dir)) {
            long[] ids = t.ids("Hello world.");
            assertEquals(1004 + 18, ids[0]);
            assertEquals(1, ids[ids.length - 1]);
            assertEquals(1004 + 16, t.encode("Hello world.", "de", 64).ids()[0]);
            assertEquals(1004 + 16, t.encode("Hello world.", "__de__", 64).ids()[0]);
            assertEquals(1004 + 16, t.tokenId("__de__"));
            assertThrows(IllegalArgumentException.class, () -> t.encode("x", "tlh", 64));
            assertEquals("Hello world.", t.decode(ids)); // language token and </s> left out
            Tokenizer.Encoded e = t.encode("Hello world. " + "This is a rather long sentence. ".repeat(10), 6);
            assertEquals(1004 + 18, e.ids()[0]);
            assertEquals(1, e.ids()[5]);
        }
        // ids saved by transformers in added_tokens_decoder win
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"added_tokens_decoder\":{\"5000\":{\"content\":\"__en__\",\"special\":true}}}");
        try (Tokenizer t = Tokenizer.load(dir)) {
            assertEquals(5000, t.ids("x")[0]);
        }
    }

    @Test
    void hfJsonWithoutLanguageTokensIgnoresTheSourceLanguage() {
        Path json = Golden.MAIN.resolve("models/s2s-en-de-small/tokenizer.json");
        assumeTrue(Files.isRegularFile(json));
        try (Tokenizer t = Tokenizer.load(json.getParent())) {
            assertInstanceOf(HfJsonTokenizer.class, t);
            assertArrayEquals(t.ids("Hello"), t.encode("Hello", 64).ids());
            // this model has no language tokens: a source language changes nothing
            assertArrayEquals(t.ids("Hello"), t.encode("Hello", "de", 64).ids());
        }
    }
}
