package seq2seq.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Ids of the Java SentencePiece tokenizer (DJL's binding) equal Python SentencePiece's, on every golden string (700). */
class SentencePieceGoldenTest {

    @ParameterizedTest
    @CsvSource({"tiny-spm.model, tiny", "bpe-bytes.model, bpe", "uni-raw.model, raw", "s2s-en-de-small.spm, default"})
    void idsEqualSentencePiece(String file, String column) {
        assertTrue(Golden.ROWS.size() >= 500, "golden strings: " + Golden.ROWS.size());
        try (SentencePieceEncoder enc = SentencePieceEncoder.load(Golden.DIR, file)) {
            assertEquals(List.of(), differences(enc, column));
        }
    }

    private static List<String> differences(SentencePieceEncoder enc, String column) {
        List<String> bad = new ArrayList<>();
        {
            for (JsonNode row : Golden.ROWS) {
                String text = row.get("text").textValue();
                long[] want = Golden.ids(row, column);
                long[] got = enc.ids(text);
                if (!Arrays.equals(want, got)) {
                    bad.add(Golden.show(text) + ": want " + Arrays.toString(want) + " got " + Arrays.toString(got));
                }
            }
        }
        return bad;
    }

    /** The shipped default model's tokenizer.json (the existing path) against SentencePiece on its original model. */
    @Test
    void shippedTokenizerJsonEqualsSentencePiece() {
        var json = Golden.MAIN.resolve("models/s2s-en-de-small/tokenizer.json");
        assumeTrue(Files.isRegularFile(json), "no " + json);
        List<String> bad = new ArrayList<>();
        try (HfJsonTokenizer t = HfJsonTokenizer.load(json.getParent(), json)) {
            for (JsonNode row : Golden.ROWS) {
                String text = row.get("text").textValue();
                long[] want = Golden.plus(Golden.ids(row, "default"), 1);
                long[] got = t.ids(text);
                if (!Arrays.equals(want, got)) {
                    bad.add(Golden.show(text) + ": want " + Arrays.toString(want) + " got " + Arrays.toString(got));
                }
            }
        }
        System.out.println("tokenizer.json path vs SentencePiece (default model): " + bad.size() + " of "
                + Golden.ROWS.size() + " differ");
        bad.forEach(b -> System.out.println("  " + b));
        // known: text spelling a special token (tokenizer.json matches it as that token) and 5 strings with combining
        // marks that the Rust normaliser composes per grapheme cluster where SentencePiece takes the longest match
        bad.removeIf(b -> b.contains("</s>") || b.contains("<pad>") || b.contains("<unk>"));
        assertTrue(bad.size() <= 5, bad.size() + " differ");
    }
}
