package seq2seq.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import seq2seq.testing.NodeProcess;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * transformers.js 4.3.1 loads the exported tiny bundle from a local folder (no hub), its tokenizer gives
 * SentencePiece's ids on every golden string, and its fp32 greedy output equals the PyTorch reference search's
 * (testdata/node/bundle-check.mjs; the golden files come from training/make-test-fixtures.sh).
 */
class TransformersJsBundleTest {
    private static final Path BUNDLE = Path.of("testdata/models/tiny").toAbsolutePath();
    private static final Path GOLDEN = Path.of("testdata/golden").toAbsolutePath();

    @Test
    void transformersJsAgreesWithTheReference() throws Exception {
        List<JsonNode> out = NodeProcess.run("bundle-check.mjs", List.of(), 300, BUNDLE.toString(), GOLDEN.toString());
        assertEquals(1, out.size(), "bundle-check.mjs prints one summary line");
        JsonNode summary = out.get(0);
        assertEquals(0, summary.get("problems").asInt(), summary.toString());
        assertTrue(summary.get("tokenizer_strings").asInt() >= 100, summary.toString());
        assertTrue(summary.get("greedy_inputs").asInt() >= 50, summary.toString());
        assertEquals(summary.get("greedy_inputs").asInt(), summary.get("fp32_agree").asInt(), summary.toString());
        assertTrue(summary.get("q8_agree").asInt() > 0, "the q8 bundle generates nothing the reference does: " + summary);
    }
}
