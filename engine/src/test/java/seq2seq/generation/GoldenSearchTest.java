package seq2seq.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Greedy and beam search equal the PyTorch reference search (training/reference_search.py, semantics in
 * training/SEARCH.md) on the tiny bundle: same best tokens, score within 1e-4. Golden files: training/make-test-fixtures.sh.
 */
@Timeout(300)
class GoldenSearchTest {
    private static final Path GOLDEN = Path.of("testdata/golden");
    private static Engine engine;

    @BeforeAll
    static void load() {
        engine = Engine.load(TestModels.tiny(), EngineOptions.defaults());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** The row's options over the bundle's generation_config.json, as the reference search reads them. */
    private static GenerationOptions options(JsonNode row) {
        JsonNode o = row.get("options");
        GenerationOptions g = engine.defaults().toBuilder().maxNewTokens(row.get("max_length").asInt() - 1).numBeams(o.get("num_beams").asInt()).build();
        if (o.has("length_penalty")) {
            g = g.toBuilder().lengthPenalty(o.get("length_penalty").asDouble()).build();
        }
        if (o.has("early_stopping")) {
            g = g.toBuilder().earlyStopping(o.get("early_stopping").asBoolean() ? EarlyStopping.TRUE : EarlyStopping.FALSE).build();
        }
        if (o.has("no_repeat_ngram_size")) {
            g = g.toBuilder().noRepeatNgramSize(o.get("no_repeat_ngram_size").asInt()).build();
        }
        if (o.has("repetition_penalty")) {
            g = g.toBuilder().repetitionPenalty(o.get("repetition_penalty").asDouble()).build();
        }
        if (o.has("min_length")) {
            g = g.toBuilder().minLength(o.get("min_length").asInt()).build();
        }
        return g;
    }

    @ParameterizedTest
    @ValueSource(strings = {"greedy", "beam4", "beam4_no_repeat_ngram3", "mixed_options"})
    void bestHypothesisAndScoreEqualTheReference(String name) throws Exception {
        List<JsonNode> rows = golden(name);
        assertTrue(rows.size() >= 20, "at least 20 golden inputs");
        assertAllEqualTheReference(name, rows);
    }

    /** More beams than the vocabulary has tokens (1000): the first step cannot fill them from one beam. */
    @Test
    void beamsAtAndBeyondTheVocabularySizeEqualTheReference() throws Exception {
        List<JsonNode> rows = golden("beam_at_vocab");
        assertEquals(List.of(1000, 1001, 1500), rows.stream().map(r -> r.get("options").get("num_beams").asInt())
                .distinct().toList(), "the golden's beam widths");
        assertEquals(engine.bundle().config.vocabSize(), 1000, "the tiny bundle's vocabulary");
        assertAllEqualTheReference("beam_at_vocab", rows);
    }

    private static List<JsonNode> golden(String name) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(GOLDEN.resolve(name + ".jsonl"), StandardCharsets.UTF_8)) {
            rows.add(json.readTree(line));
        }
        return rows;
    }

    private static void assertAllEqualTheReference(String name, List<JsonNode> rows) {
        // inputs with the same options run as one padded batch: batching must not change fp32 results
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            groups.computeIfAbsent(rows.get(i).get("options") + " " + rows.get(i).get("max_length"), k -> new ArrayList<>()).add(i);
        }
        List<String> wrong = new ArrayList<>();
        for (List<Integer> group : groups.values()) {
            GenerationOptions options = options(rows.get(group.get(0)));
            List<long[]> sources = new ArrayList<>();
            for (int i : group) {
                JsonNode r = rows.get(i);
                long[] ids = engine.tokenizer().ids(r.get("text").asText());
                assertArrayEquals(TestModels.ids(r.get("input_ids")), ids, "tokenizer ids of: " + r.get("text").asText());
                sources.add(ids);
            }
            List<List<Hypothesis>> out = engine.generate(sources, options);
            for (int j = 0; j < group.size(); j++) {
                JsonNode r = rows.get(group.get(j));
                int[] expected = TestModels.intIds(r.get("tokens"));
                Hypothesis best = out.get(j).get(0);
                double score = r.get("score").asDouble();
                if (!Arrays.equals(expected, best.tokens()) || Math.abs(score - best.score()) > 1e-4) {
                    wrong.add(r.get("text").asText() + " " + r.get("options") + "\n  reference " + Arrays.toString(expected) + " " + score
                            + "\n  engine    " + Arrays.toString(best.tokens()) + " " + best.score());
                }
            }
        }
        assertEquals(List.of(), wrong, name + ": " + wrong.size() + " of " + rows.size() + " differ");
    }
}
