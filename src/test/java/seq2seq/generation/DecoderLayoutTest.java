package seq2seq.generation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import seq2seq.model.DecoderLayout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The merged decoder and the separate pair give the same tokens and scores, greedy and beam. */
class DecoderLayoutTest {

    @Test
    @Timeout(300)
    void mergedAndSeparateDecodersGiveIdenticalTokens() {
        List<String> inputs = TestModels.parityInputs();
        try (Engine merged = Engine.load(TestModels.tiny(), EngineOptions.defaults().withLayout(DecoderLayout.MERGED));
             Engine separate = Engine.load(TestModels.tiny(), EngineOptions.defaults().withLayout(DecoderLayout.SEPARATE))) {
            assertEquals(DecoderLayout.MERGED, merged.bundle().layout);
            assertEquals(DecoderLayout.SEPARATE, separate.bundle().layout);
            List<long[]> sources = inputs.stream().map(merged.tokenizer()::ids).toList();
            for (int beams : new int[] {1, 4}) {
                GenerationOptions o = merged.defaults().withNumBeams(beams);
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
}
