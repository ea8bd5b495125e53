package seq2seq.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** tokenizer.json's unknown token by model type, whether or not it is an added token, in any field order. */
class TokenizerJsonSpecialsTest {
    @TempDir
    Path dir;

    private TokenizerJsonSpecials read(String json) throws IOException {
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, json);
        return TokenizerJsonSpecials.read(f);
    }

    @Test
    void theFixturesUnknownTokens() {
        assertEquals(new TokenizerJsonSpecials(2L, "<unk>", Set.of(0L, 1L, 2L)),
                TokenizerJsonSpecials.read(Path.of("models/s2s-en-de-small/tokenizer.json")));
        assertEquals(3L, TokenizerJsonSpecials.read(Path.of("testdata/models/nllb/tokenizer.json")).unknownId());
        assertEquals(null, TokenizerJsonSpecials.read(Path.of("testdata/models/bart/tokenizer.json")).unknownId(),
                "byte-level BPE has none");
    }

    @Test
    void vocabularyLookUpWhenTheUnknownTokenIsNoAddedToken() throws IOException {
        TokenizerJsonSpecials bpe = read("{\"added_tokens\": [{\"id\": 0, \"content\": \"</s>\", \"special\": true}],"
                + " \"model\": {\"vocab\": {\"</s>\": 0, \"a\": 1, \"[?]\": 2}, \"type\": \"BPE\", \"unk_token\": \"[?]\"}}");
        assertEquals(new TokenizerJsonSpecials(2L, "[?]", Set.of(0L)), bpe);
        TokenizerJsonSpecials unigram = read("{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", -1.0], [\"?unk?\", 0.0]],"
                + " \"unk_id\": 1}, \"added_tokens\": []}");
        assertEquals(new TokenizerJsonSpecials(1L, "?unk?", Set.of()), unigram);
    }

    @Test
    void aFileItCannotReadGivesNothing() throws IOException {
        assertEquals(TokenizerJsonSpecials.NONE, read("{not json"));
        assertEquals(null, read("{\"model\": {\"type\": \"Unigram\"}}").unknownId());
    }
}
