package seq2seq.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import seq2seq.model.Tokenizer;
import seq2seq.testing.NodeProcess;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java tokenizer (DJL) and transformers.js give SentencePiece's ids (golden/tokenizer-ids.jsonl, written by
 * training/reference_search.py) on strings that stress the tokenizer: accents, unknown characters, spacing.
 * Where pieces tie exactly in score, any of the tied segmentations the file lists is right.
 */
class TokenizerParityTest {
    private static final Path GOLDEN = Path.of("testdata/golden/tokenizer-ids.jsonl").toAbsolutePath();

    private static List<JsonNode> golden() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(GOLDEN, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                rows.add(json.readTree(line));
            }
        }
        assertTrue(rows.size() >= 100, "at least 100 strings");
        return rows;
    }

    /** null when the ids are SentencePiece's (or one of its exact ties), else a description of the difference */
    private static String check(JsonNode row, long[] ids, String who) {
        if (Arrays.equals(TestModels.ids(row.get("ids")), ids)) {
            return null;
        }
        for (JsonNode tie : row.path("tied")) {
            if (Arrays.equals(TestModels.ids(tie), ids)) {
                return null;
            }
        }
        return who + " " + row.get("text") + "\n  sentencepiece " + row.get("ids") + "\n  got           " + Arrays.toString(ids);
    }

    @Test
    @Timeout(120)
    void djlGivesSentencePieceIds() throws Exception {
        List<String> wrong = new ArrayList<>();
        try (Tokenizer tok = Tokenizer.load(TestModels.tiny())) {
            for (JsonNode row : golden()) {
                String w = check(row, tok.ids(row.get("text").asText()), "DJL");
                if (w != null) {
                    wrong.add(w);
                }
            }
        }
        assertEquals(List.of(), wrong, wrong.size() + " differ");
    }

    @Test
    @Timeout(420)
    void transformersJsGivesSentencePieceIds() throws Exception {
        List<JsonNode> rows = golden();
        List<JsonNode> js = NodeProcess.run("tokenizer-ids.mjs", List.of(), 300, TestModels.tiny().toString(), GOLDEN.toString());
        assertEquals(rows.size(), js.size());
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            String w = check(rows.get(i), TestModels.ids(js.get(i).get("ids")), "transformers.js");
            if (w != null) {
                wrong.add(w);
            }
        }
        assertEquals(List.of(), wrong, wrong.size() + " differ");
    }
}
