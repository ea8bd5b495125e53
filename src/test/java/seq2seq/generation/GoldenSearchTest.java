package seq2seq.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Greedy and beam search equal the PyTorch reference search (training/reference_search.py, semantics in
 * training/SEARCH.md) on the tiny bundle: same best tokens, score within 1e-4. Golden files: training/make-test-fixtures.sh.
 */
@Timeout(300)
class GoldenSearchTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static Engine engine;

    @BeforeAll
    static void load() {
        engine = Engine.load(TestModels.tiny(), EngineOptions.defaults());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"greedy", "beam4", "beam4_no_repeat_ngram3"})
    void bestHypothesisAndScoreEqualTheReference(String name) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(GOLDEN.resolve(name + ".jsonl"), StandardCharsets.UTF_8)) {
            rows.add(json.readTree(line));
        }
        assertTrue(rows.size() >= 20, "at least 20 golden inputs");
        JsonNode o = rows.get(0).get("options");
        GenerationOptions options = engine.defaults()
                .withMaxNewTokens(rows.get(0).get("max_length").asInt() - 1)
                .withNumBeams(o.get("num_beams").asInt())
                .withLengthPenalty(o.path("length_penalty").asDouble(1.0))
                .withEarlyStopping(o.path("early_stopping").asBoolean(false) ? EarlyStopping.TRUE : EarlyStopping.FALSE)
                .withNoRepeatNgramSize(o.path("no_repeat_ngram_size").asInt(0));
        List<long[]> sources = new ArrayList<>();
        for (JsonNode r : rows) {
            long[] ids = engine.tokenizer().ids(r.get("text").asText());
            assertArrayEquals(TestModels.ids(r.get("input_ids")), ids, "tokenizer ids of: " + r.get("text").asText());
            sources.add(ids);
        }
        // all inputs in one padded batch: batching must not change fp32 results
        List<List<Hypothesis>> out = engine.generate(sources, options);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            int[] expected = TestModels.intIds(rows.get(i).get("tokens"));
            Hypothesis best = out.get(i).get(0);
            double score = rows.get(i).get("score").asDouble();
            if (!Arrays.equals(expected, best.tokens()) || Math.abs(score - best.score()) > 1e-4) {
                wrong.add(rows.get(i).get("text").asText() + "\n  reference " + Arrays.toString(expected) + " " + score
                        + "\n  engine    " + Arrays.toString(best.tokens()) + " " + best.score());
            }
        }
        assertEquals(List.of(), wrong, name + ": " + wrong.size() + " of " + rows.size() + " differ");
    }
}
