package seq2seq.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each missing or malformed file fails with a BundleException naming the file (and the field). */
class TokenizerErrorsTest {

    private static BundleException fails(Path dir) {
        return assertThrows(BundleException.class, () -> Tokenizer.load(dir).close());
    }

    private static void assertNames(BundleException e, String file, String... words) {
        assertEquals(file, e.file(), e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), e.getMessage());
        }
    }

    @Test
    void noTokenizerAtAll(@TempDir Path dir) {
        assertNames(fails(dir), "tokenizer.json", "source.spm", "sentencepiece.bpe.model");
    }

    @Test
    void marianMissingFiles(@TempDir Path dir) throws IOException {
        SentencePieceTokenizerTest.marian(dir);
        for (String f : new String[] {"vocab.json", "target.spm", "source.spm"}) {
            Path d = Files.createDirectories(dir.resolve("without-" + f));
            for (String g : new String[] {"source.spm", "target.spm", "vocab.json", "tokenizer_config.json"}) {
                if (!g.equals(f)) {
                    Files.copy(dir.resolve(g), d.resolve(g));
                }
            }
            assertNames(fails(d), f, "missing");
        }
    }

    @Test
    void marianSeparateVocabsNeedsTargetVocab(@TempDir Path dir) throws IOException {
        SentencePieceTokenizerTest.marian(dir);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"separate_vocabs\":true}");
        assertNames(fails(dir), "target_vocab.json", "missing");
    }

    @Test
    void m2m100MissingVocab(@TempDir Path dir) throws IOException {
        Files.copy(Golden.DIR.resolve("tiny-spm.model"), dir.resolve("sentencepiece.bpe.model"));
        assertNames(fails(dir), "vocab.json", "missing", "M2M100");
    }

    @Test
    void vocabNotAnObject(@TempDir Path dir) throws IOException {
        SentencePieceTokenizerTest.marian(dir);
        Files.writeString(dir.resolve("vocab.json"), "[\"<unk>\", \"</s>\"]");
        assertNames(fails(dir), "vocab.json", "object");
        Files.writeString(dir.resolve("vocab.json"), "{\"<unk>\": \"zero\"}");
        assertNames(fails(dir), "vocab.json", "\"<unk>\"", "integer");
        Files.writeString(dir.resolve("vocab.json"), "{\"<unk>\": 0, \"</s>\": 1");
        assertNames(fails(dir), "vocab.json", "not valid JSON");
        Files.writeString(dir.resolve("vocab.json"), "{\"<unk>\": 0}");
        assertNames(fails(dir), "vocab.json", "eos_token", "</s>");
    }

    @Test
    void badTokenizerConfig(@TempDir Path dir) throws IOException {
        SentencePieceTokenizerTest.marian(dir);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": 7}");
        assertNames(fails(dir), "tokenizer_config.json", "eos_token");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"separate_vocabs\": \"yes\"}");
        assertNames(fails(dir), "tokenizer_config.json", "separate_vocabs");
    }

    @Test
    void truncatedOrForeignSpm(@TempDir Path dir) throws IOException {
        SentencePieceTokenizerTest.marian(dir);
        byte[] full = Files.readAllBytes(dir.resolve("source.spm"));
        for (int cut : new int[] {1, 7, 100, full.length / 2, full.length - 3}) {
            Files.write(dir.resolve("source.spm"), Arrays.copyOf(full, cut));
            assertNames(fails(dir), "source.spm", "field");
        }
        Files.write(dir.resolve("source.spm"), new byte[0]);
        assertNames(fails(dir), "source.spm", "empty");
        Files.writeString(dir.resolve("source.spm"), "{\"not\": \"a model\"}");
        assertNames(fails(dir), "source.spm", "field");
        Files.copy(dir.resolve("target.spm"), dir.resolve("source.spm"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.write(dir.resolve("target.spm"), Arrays.copyOf(full, 5000));
        assertNames(fails(dir), "target.spm", "truncated");
    }
}
