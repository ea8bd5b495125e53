package seq2seq.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java tokenizer (DJL over tokenizer.json) gives SentencePiece's ids on every string of the golden file that
 * training/reference_search.py writes (accents, emoji, CJK, unknown characters, white space runs, empty); where
 * pieces tie exactly, any of the tied segmentations counts.
 */
class TokenizerGoldenTest {
    private static final Path BUNDLE = Path.of("testdata/models/tiny").toAbsolutePath();
    private static final Path GOLDEN = Path.of("testdata/golden/tokenizer-ids.jsonl");

    @Test
    void djlMatchesSentencePiece() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(GOLDEN, StandardCharsets.UTF_8);
        List<String> mismatches = new ArrayList<>();
        try (Tokenizer tokenizer = Tokenizer.load(BUNDLE)) {
            for (String line : lines) {
                JsonNode rec = json.readTree(line);
                long[] got = tokenizer.ids(rec.get("text").asText());
                boolean ok = Arrays.equals(got, ids(rec.get("ids")));
                for (JsonNode alt : rec.path("tied")) {
                    ok |= Arrays.equals(got, ids(alt));
                }
                if (!ok) {
                    mismatches.add(json.writeValueAsString(rec.get("text")) + ": sentencepiece " + rec.get("ids")
                            + ", djl " + Arrays.toString(got));
                }
            }
        }
        assertTrue(lines.size() >= 100, GOLDEN + " has only " + lines.size() + " strings");
        assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + lines.size() + " differ:\n" + String.join("\n", mismatches));
    }

    private static long[] ids(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}
