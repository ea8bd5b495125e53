package seq2seq.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** NLLB's source-language token where tokenizer_config.json's legacy_behaviour puts it, as NllbTokenizerFast does. */
class NllbPlacementTest {
    private static final Path NLLB = Path.of("testdata/models/nllb").toAbsolutePath();

    @Test
    void languageTokenFirstOrLastByLegacyBehaviour(@TempDir Path dir) throws Exception {
        Files.createSymbolicLink(dir.resolve("tokenizer.json"), NLLB.resolve("tokenizer.json"));
        String config = Files.readString(NLLB.resolve("tokenizer_config.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), config);
        long[] modern;
        try (Tokenizer t = Tokenizer.load(dir)) {
            int eng = t.tokenId("eng_Latn");
            int fra = t.tokenId("fra_Latn");
            modern = t.encode("Hello world.", 64).ids();
            assertEquals(eng, modern[0]);
            long[] french = t.encode("Hello world.", "fra_Latn", 64).ids();
            assertEquals(fra, french[0]);
            assertEquals(modern.length, french.length);
            // cut to 5: language token and </s> stay
            long[] cut = t.encode("Hello world. This is longer than five tokens.", "fra_Latn", 5).ids();
            assertEquals(5, cut.length);
            assertEquals(fra, cut[0]);
            assertEquals(2, cut[4]);
        }
        Files.writeString(dir.resolve("tokenizer_config.json"),
                config.replace("\"legacy_behaviour\": false", "\"legacy_behaviour\": true"));
        try (Tokenizer t = Tokenizer.load(dir)) {
            int eng = t.tokenId("eng_Latn");
            int fra = t.tokenId("fra_Latn");
            long[] legacy = t.encode("Hello world.", 64).ids();
            long[] expected = new long[modern.length];
            System.arraycopy(modern, 1, expected, 0, modern.length - 1);
            expected[modern.length - 1] = eng;
            assertArrayEquals(expected, legacy, "legacy: text </s> eng_Latn");
            long[] french = t.encode("Hello world.", "fra_Latn", 64).ids();
            assertEquals(fra, french[french.length - 1]);
            long[] cut = t.encode("Hello world. This is longer than five tokens.", "fra_Latn", 5).ids();
            assertEquals(2, cut[3]);
            assertEquals(fra, cut[4]);
        }
    }
}
