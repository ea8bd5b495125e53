package seq2seq.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import seq2seq.model.TokenizerLayout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replica bundles of each transformer family (testdata/models/FAMILY, written in the family's own export layout:
 * ONNX at the top level, Marian and M2M100 with their SentencePiece files and no tokenizer.json) run through the
 * engine as they are: input ids equal transformers.js 4.3.1's (which read a converted tokenizer.json) and the Python
 * reference's, greedy output equals transformers.js's up to the first EOS, and beam 4 equals the Python reference
 * search (training/SEARCH.md): best hypothesis tokens, score within 1e-4. Each line's options (forced_bos_token_id,
 * num_beams, max_length) over the bundle's generation_config.json.
 */
@Timeout(300)
class FamilyReplicaTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path bundle(String family) {
        return Path.of("testdata/models", family).toAbsolutePath();
    }

    static List<JsonNode> lines(String family, String file) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("testdata/golden", family, file), StandardCharsets.UTF_8)) {
            rows.add(JSON.readTree(line));
        }
        return rows;
    }

    /** The line's options over the engine's defaults (the bundle's generation_config.json). */
    static GenerationOptions options(Engine engine, JsonNode row) {
        JsonNode o = row.get("options");
        GenerationOptions.Builder b = engine.defaults().toBuilder().numBeams(o.get("num_beams").asInt())
                .maxNewTokens(row.get("max_length").asInt() - 1);
        if (o.has("forced_bos_token_id")) {
            b.forcedBosTokenId(o.get("forced_bos_token_id").asInt());
        }
        return b.build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"marian", "m2m100", "nllb", "t5", "bart"})
    void greedyEqualsTransformersJsAndBeam4EqualsTheReference(String family) throws Exception {
        List<JsonNode> greedy = lines(family, "greedy.jsonl");
        List<JsonNode> js = lines(family, "transformersjs-greedy.jsonl");
        List<JsonNode> beam = lines(family, "beam4.jsonl");
        assertEquals(greedy.size(), js.size());
        assertTrue(js.size() >= 50, family + ": " + js.size() + " lines");
        try (Engine engine = Engine.load(bundle(family), EngineOptions.defaults())) {
            if (family.equals("marian") || family.equals("m2m100")) {
                assertTrue(!Files.exists(bundle(family).resolve("tokenizer.json")), "the raw layout, no tokenizer.json");
                assertEquals(family.equals("marian") ? TokenizerLayout.MARIAN : TokenizerLayout.M2M100,
                        engine.bundle().tokenizerLayout);
            }
            assertEquals("", engine.bundle().onnxDir, "ONNX files at the top level, as Optimum writes them");
            int eos = engine.bundle().config.eosTokenId();

            List<String> wrong = new ArrayList<>();
            List<long[]> sources = new ArrayList<>();
            for (int i = 0; i < js.size(); i++) {
                String text = js.get(i).get("text").asText();
                long[] ids = engine.tokenizer().encode(text, engine.modelInfo().maxInputTokens()).ids();
                if (!Arrays.equals(TestModels.ids(js.get(i).get("ids")), ids)
                        || !Arrays.equals(TestModels.ids(greedy.get(i).get("input_ids")), ids)) {
                    wrong.add("input ids of line " + (i + 1) + " " + text + ": transformers.js " + js.get(i).get("ids")
                            + ", Python " + greedy.get(i).get("input_ids") + ", engine " + Arrays.toString(ids));
                }
                sources.add(ids);
            }
            assertEquals(List.of(), wrong, family + ": " + wrong.size() + " of " + js.size() + " input ids differ");

            int greedyEqual = 0;
            for (Map.Entry<String, List<Integer>> g : groups(greedy).entrySet()) {
                List<Integer> idx = g.getValue();
                List<List<Hypothesis>> out = engine.generate(idx.stream().map(sources::get).toList(),
                        options(engine, greedy.get(idx.get(0))));
                for (int j = 0; j < idx.size(); j++) {
                    int i = idx.get(j);
                    int[] expected = upToFirstEos(TestModels.intIds(js.get(i).get("out")), eos);
                    int[] actual = out.get(j).get(0).tokens();
                    if (Arrays.equals(expected, actual)) {
                        greedyEqual++;
                    } else {
                        wrong.add("greedy line " + (i + 1) + "\n  transformers.js " + Arrays.toString(expected)
                                + "\n  engine          " + Arrays.toString(actual));
                    }
                }
            }
            int beamEqual = 0;
            for (Map.Entry<String, List<Integer>> g : groups(beam).entrySet()) {
                List<Integer> idx = g.getValue();
                List<long[]> src = new ArrayList<>();
                for (int i : idx) {
                    src.add(TestModels.ids(beam.get(i).get("input_ids")));
                    assertTrue(Arrays.equals(sources.get(i), src.get(src.size() - 1)), "beam4.jsonl line " + (i + 1) + " input ids");
                }
                List<List<Hypothesis>> out = engine.generate(src, options(engine, beam.get(idx.get(0))));
                for (int j = 0; j < idx.size(); j++) {
                    JsonNode r = beam.get(idx.get(j));
                    int[] expected = TestModels.intIds(r.get("tokens"));
                    Hypothesis best = out.get(j).get(0);
                    if (Arrays.equals(expected, best.tokens()) && Math.abs(r.get("score").asDouble() - best.score()) <= 1e-4) {
                        beamEqual++;
                    } else {
                        wrong.add("beam4 line " + (idx.get(j) + 1) + "\n  reference " + Arrays.toString(expected) + " "
                                + r.get("score") + "\n  engine    " + Arrays.toString(best.tokens()) + " " + best.score());
                    }
                }
            }
            System.out.printf("%s: input ids equal %d/%d, greedy = transformers.js %d/%d, beam 4 = reference %d/%d%n",
                    family, js.size(), js.size(), greedyEqual, js.size(), beamEqual, beam.size());
            assertEquals(List.of(), wrong, family + ": " + wrong.size() + " differ");
        }
    }

    /** Lines with the same options run as one padded batch. */
    private static Map<String, List<Integer>> groups(List<JsonNode> rows) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            groups.computeIfAbsent(rows.get(i).get("options") + " " + rows.get(i).get("max_length"), k -> new ArrayList<>()).add(i);
        }
        return groups;
    }

    static int[] upToFirstEos(int[] tokens, int eos) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] == eos) {
                return Arrays.copyOf(tokens, i + 1);
            }
        }
        return tokens;
    }
}
