package seq2seq.generation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import seq2seq.model.DecoderLayout;
import seq2seq.model.Dtype;
import seq2seq.model.ModelBundle;
import seq2seq.model.OnnxModel;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The merged decoder and the separate pair give the same tokens and scores, greedy and beam (the pair without the encoder output after the first step). */
class DecoderLayoutTest {

    @Test
    @Timeout(300)
    void mergedAndSeparateDecodersGiveIdenticalTokens() {
        List<String> inputs = TestModels.parityInputs();
        try (Engine merged = Engine.load(TestModels.tiny(), EngineOptions.builder().layout(DecoderLayout.MERGED).build());
             Engine separate = Engine.load(TestModels.tiny(), EngineOptions.builder().layout(DecoderLayout.SEPARATE).build())) {
            assertEquals(DecoderLayout.MERGED, merged.bundle().layout);
            assertEquals(DecoderLayout.SEPARATE, separate.bundle().layout);
            List<long[]> sources = inputs.stream().map(merged.tokenizer()::ids).toList();
            for (int beams : new int[] {1, 4}) {
                GenerationOptions o = merged.defaults().toBuilder().numBeams(beams).build();
                List<List<Hypothesis>> a = merged.generate(sources, o);
                List<List<Hypothesis>> b = separate.generate(sources, o);
                for (int i = 0; i < sources.size(); i++) {
                    Hypothesis x = a.get(i).get(0);
                    Hypothesis y = b.get(i).get(0);
                    assertArrayEquals(x.tokens(), y.tokens(), "beams " + beams + ", line " + (i + 1) + ": " + inputs.get(i));
                    assertEquals(x.score(), y.score(), 1e-5, "beams " + beams + ", line " + (i + 1));
                }
            }
        }
    }

    /**
     * The separate with-past decoder reads the cross-attention cache, not the encoder output, so a batch frees the
     * encoder output after its first step (and its beam reorders stop copying it); the merged decoder needs it each step.
     */
    @Test
    void onlyTheMergedDecoderReadsTheEncoderOutputAfterTheFirstStep() {
        try (OnnxModel merged = OnnxModel.load(ModelBundle.open(TestModels.tiny(), Dtype.FP32, DecoderLayout.MERGED), 1);
             OnnxModel separate = OnnxModel.load(ModelBundle.open(TestModels.tiny(), Dtype.FP32, DecoderLayout.SEPARATE), 1)) {
            assertTrue(merged.io().laterStepsReadEncoderOutput());
            assertFalse(separate.io().laterStepsReadEncoderOutput());
        }
    }
}
