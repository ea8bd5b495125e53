package seq2seq.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import seq2seq.model.RecurrentTokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recurrent bundles through the engine equal the PyTorch reference search (greedy.jsonl, beam4.jsonl): same source
 * ids, same best tokens, score within 1e-4, on every input; batched as one-by-one; text through translate().
 * Two bundles, so that every manifest variant but word level runs: testdata/models/recurrent (LSTM, embedding ids,
 * softmax output; training/replicas/recurrent.py) and testdata/models/recurrent-gru (GRU, one-hot inputs, logits
 * output, latent 32, 3 epochs; made by training/recurrent/train_recurrent.py --tsv
 * training/replicas/corpus.en-de.tsv --cell gru --scores logits --latent 32 --epochs 3 --max-length 64 --max-src 120
 * --max-tgt 120 --threads 1 --golden-inputs testdata/parity-inputs.txt).
 */
@Timeout(300)
class RecurrentGoldenTest {
    static final Path BUNDLE = Path.of("testdata/models/recurrent").toAbsolutePath();
    private static final Path GRU_BUNDLE = Path.of("testdata/models/recurrent-gru").toAbsolutePath();
    private static Engine engine;
    private static Engine gru;

    @BeforeAll
    static void load() {
        engine = Engine.load(BUNDLE, EngineOptions.defaults());
        gru = Engine.load(GRU_BUNDLE, EngineOptions.defaults());
    }

    @AfterAll
    static void close() {
        engine.close();
        gru.close();
    }

    /** "greedy", "beam4" (the LSTM replica) or "gru/greedy", "gru/beam4" */
    private static Engine engineFor(String name) {
        return name.startsWith("gru/") ? gru : engine;
    }

    static List<JsonNode> rows(String name) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = new ArrayList<>();
        Path file = name.startsWith("gru/") ? Path.of("testdata/golden/recurrent-gru/" + name.substring(4) + ".jsonl")
                : Path.of("testdata/golden/recurrent/" + name + ".jsonl");
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            rows.add(json.readTree(line));
        }
        return rows;
    }

    private static GenerationOptions options(Engine engine, JsonNode row) {
        return engine.defaults().toBuilder().maxNewTokens(row.get("max_length").asInt() - 1)
                .numBeams(row.get("options").get("num_beams").asInt()).outputScores(true).build();
    }

    /** Each input's best hypothesis, all inputs in one call (batches under the engine's budget) or one by one. */
    private static List<Hypothesis> best(Engine engine, List<JsonNode> rows, boolean oneByOne) {
        GenerationOptions o = options(engine, rows.get(0));
        List<long[]> sources = rows.stream().map(r -> engine.tokenizer().ids(r.get("text").asText())).toList();
        List<Hypothesis> out = new ArrayList<>();
        if (oneByOne) {
            for (long[] s : sources) {
                out.add(engine.generateBatch(List.of(s), o).get(0).get(0));
            }
        } else {
            engine.generate(sources, o).forEach(h -> out.add(h.get(0)));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"greedy", "beam4", "gru/greedy", "gru/beam4"})
    void bestHypothesisAndScoreEqualTheReference(String name) throws Exception {
        Engine engine = engineFor(name);
        List<JsonNode> rows = rows(name);
        assertTrue(rows.size() >= 20, "at least 20 golden inputs");
        for (JsonNode r : rows) {
            assertArrayEquals(TestModels.ids(r.get("input_ids")), engine.tokenizer().ids(r.get("text").asText()),
                    "source ids of: " + r.get("text").asText());
        }
        List<Hypothesis> batched = best(engine, rows, false);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            JsonNode r = rows.get(i);
            int[] expected = TestModels.intIds(r.get("tokens"));
            Hypothesis h = batched.get(i);
            double score = r.get("score").asDouble();
            double sum = r.get("sum_logprobs").asDouble();
            if (!Arrays.equals(expected, h.tokens()) || Math.abs(score - h.score()) > 1e-4
                    || Math.abs(sum - h.logProb()) > 1e-4 * Math.max(1, expected.length)) {
                wrong.add(r.get("text").asText() + "\n  reference " + Arrays.toString(expected) + " " + score
                        + "\n  engine    " + Arrays.toString(h.tokens()) + " " + h.score());
            }
        }
        assertEquals(List.of(), wrong, name + ": " + wrong.size() + " of " + rows.size() + " differ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"greedy", "beam4", "gru/greedy", "gru/beam4"})
    void batchedEqualsOneByOne(String name) throws Exception {
        Engine engine = engineFor(name);
        List<JsonNode> rows = rows(name);
        List<Hypothesis> batched = best(engine, rows, false);
        List<Hypothesis> alone = best(engine, rows, true);
        for (int i = 0; i < rows.size(); i++) {
            String text = rows.get(i).get("text").asText();
            assertArrayEquals(alone.get(i).tokens(), batched.get(i).tokens(), text);
            assertEquals(alone.get(i).score(), batched.get(i).score(), 1e-5, text);
        }
    }

    @Test
    void translateGivesTheReferenceTextAndCountsUnknownCharacters() throws Exception {
        List<JsonNode> rows = rows("greedy");
        try (Engine greedy = Engine.load(BUNDLE, EngineOptions.builder().numBeams(1).outputScores(true).build())) {
            assertEquals(63, greedy.defaults().maxNewTokens(), "manifest max_length 64, start token included");
            List<TranslationTask> tasks = rows.stream().map(r -> TranslationTask.of(r.get("text").asText())).toList();
            List<Translation> out = greedy.translate(tasks);
            for (int i = 0; i < rows.size(); i++) {
                JsonNode r = rows.get(i);
                Translation t = out.get(i);
                assertNull(t.error(), t.error());
                assertEquals(r.get("output").asText(), t.text(), r.get("text").asText());
                assertEquals(r.get("input_ids").size(), t.inputTokens());
                assertEquals(r.get("score").asDouble(), t.score(), 1e-4);
            }
            RecurrentTokenizer tok = (RecurrentTokenizer) greedy.tokenizer();
            long before = tok.unknownCount();
            long snowmenBefore = tok.unknownTokens().getOrDefault("☃", 0L);
            Translation t = greedy.translate(List.of(TranslationTask.of("Straße ☃ ☃"))).get(0);
            assertNull(t.error());
            assertEquals(before + 3, tok.unknownCount(), "ß and the two snowmen are not in the source vocabulary");
            Map<String, Long> unknown = tok.unknownTokens();
            assertEquals(snowmenBefore + 2, unknown.get("☃"));
            assertTrue(unknown.containsKey("ß"), unknown.toString());
            assertEquals(0L, ((RecurrentTokenizer) greedy.tokenizer()).ids("ß")[0], "unknown_index");
            assertEquals("", greedy.translate(List.of(TranslationTask.of("  "))).get(0).text());
            assertEquals(null, greedy.bundle());
            assertEquals("recurrent", greedy.modelInfo().name());
        }
    }
}
