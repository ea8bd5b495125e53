package seq2seq.generation;

import ai.onnxruntime.OrtSession.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import seq2seq.model.DecoderLayout;
import seq2seq.model.Dtype;
import seq2seq.model.ModelBundle;
import seq2seq.model.OnnxModel;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The choice made in ONNX Runtime (CachedDecoder's stepPick/stepTop) equals the one made in Java from the logits
 * (StepDecoder's defaults), greedy and beam, on the tiny bundle, whose bad_words_ids ban its pad token every step.
 */
class NativePickTest {

    /** The same decoder with the choice made in Java: only the StepDecoder defaults of stepPick and stepTop. */
    private record JavaPicks(StepDecoder d) implements StepDecoder {
        public int vocabSize() {
            return d.vocabSize();
        }

        public int rows() {
            return d.rows();
        }

        public float[] step(int[] lastTokens) {
            return d.step(lastTokens);
        }

        public float[] stepLogProbs(int[] lastTokens) {
            return d.stepLogProbs(lastTokens);
        }

        public void keepRows(int[] rows) {
            d.keepRows(rows);
        }

        public void close() {
            d.close();
        }
    }

    @Test
    @Timeout(300)
    void nativeAndJavaPicksGiveTheSameHypotheses() throws Exception {
        ModelBundle bundle = ModelBundle.open(TestModels.tiny(), Dtype.FP32, DecoderLayout.AUTO);
        try (Engine engine = Engine.load(TestModels.tiny(), EngineOptions.defaults());
             OnnxModel model = OnnxModel.load(bundle, 1)) {
            List<String> inputs = TestModels.parityInputs().subList(0, 24);
            List<long[]> sources = inputs.stream().map(engine.tokenizer()::ids).toList();
            int start = model.config().decoderStartTokenId();
            int eos = model.config().eosTokenId();
            assertTrue(LogitsProcessor.uniformBans(LogitsProcessor.of(engine.defaults(), eos), 2, model.config().vocabSize()).length > 0,
                    "the tiny bundle bans a token every step, so the native path runs with a ban mask");
            // greedy with and without scores (two different pick graphs), and beam 4
            for (int[] run : new int[][] {{1, 1}, {1, 0}, {4, 1}}) {
                int beams = run[0];
                boolean scores = run[1] == 1;
                GenerationOptions o = engine.defaults().toBuilder().numBeams(beams).outputScores(scores).build();
                List<List<Hypothesis>> fast = search(model, sources, o, start, eos, false);
                List<List<Hypothesis>> java = search(model, sources, o, start, eos, true);
                for (int i = 0; i < sources.size(); i++) {
                    Hypothesis a = fast.get(i).get(0);
                    Hypothesis b = java.get(i).get(0);
                    String what = "beams " + beams + (scores ? "" : ", no scores") + ", line " + (i + 1) + ": " + inputs.get(i);
                    assertArrayEquals(b.tokens(), a.tokens(), what);
                    if (scores) {
                        assertEquals(b.score(), a.score(), 1e-5, what);
                    }
                    assertTrue(a.tokens().length > 0, what);
                }
            }
        }
    }

    private static List<List<Hypothesis>> search(OnnxModel model, List<long[]> sources, GenerationOptions o, int start,
                                                 int eos, boolean inJava) throws Exception {
        int len = sources.stream().mapToInt(s -> s.length).max().orElseThrow();
        long[][] mask = new long[sources.size()][len];
        for (int i = 0; i < mask.length; i++) {
            Arrays.fill(mask[i], 0, sources.get(i).length, 1L);
        }
        Result encoded = model.io().encode(sources, model.config().padTokenId());
        StepDecoder decoder = new CachedDecoder(model, encoded, mask);
        try (StepDecoder d = inJava ? new JavaPicks(decoder) : decoder) {
            return Search.of(o, start, eos).run(d);
        }
    }
}
