package seq2seq.generation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LogitsProcessorTest {
    private static final float NEG = Float.NEGATIVE_INFINITY;

    @Test
    void noRepeatNgramBansTheTokenThatWouldRepeatATrigram() {
        int[] seq = {0, 5, 6, 7, 5, 6};
        float[] scores = new float[10];
        new NoRepeatNgram(3).apply(seq, seq.length, scores, 0, 10);
        assertEquals(NEG, scores[7]);
        assertEquals(0f, scores[5]);
        float[] short_ = new float[10];
        new NoRepeatNgram(3).apply(seq, 1, short_, 0, 10);
        assertEquals(0f, short_[7]);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeScoresOnce() {
        int[] seq = {0, 2, 2, 3};
        float[] scores = {1f, 1f, 4f, -2f};
        new RepetitionPenalty(2f).apply(seq, seq.length, scores, 0, 4);
        assertEquals(0.5f, scores[0]);
        assertEquals(1f, scores[1]);
        assertEquals(2f, scores[2]);
        assertEquals(-4f, scores[3]);
    }

    @Test
    void badWordsBanSingleTokensAlwaysAndSequencesAfterTheirPrefix() {
        BadWords p = new BadWords(List.of(new int[] {1}, new int[] {4, 5}));
        float[] scores = new float[6];
        p.apply(new int[] {0, 3}, 2, scores, 0, 6);
        assertEquals(NEG, scores[1]);
        assertEquals(0f, scores[5]);
        p.apply(new int[] {0, 4}, 2, scores, 0, 6);
        assertEquals(NEG, scores[5]);
    }

    @Test
    void minLengthForcedTokensAndTheEosBadWordIsIgnored() {
        GenerationOptions o = new GenerationOptions(5, 3, 1, 1.0, EarlyStopping.FALSE, 0, 1.0,
                List.of(new int[] {2}, new int[] {1}), 4, 2, 1, true);
        List<LogitsProcessor> ps = LogitsProcessor.of(o, 2);
        assertEquals(List.of(BadWords.class, MinLength.class, ForcedToken.class, ForcedToken.class),
                ps.stream().map(Object::getClass).toList());
        float[] scores = new float[6];
        for (LogitsProcessor p : ps) {
            p.apply(new int[] {0}, 1, scores, 0, 6);
        }
        // length 1: forced BOS 4 wins over everything
        assertEquals(0f, scores[4]);
        assertEquals(NEG, scores[2]);
        float[] last = new float[6];
        for (LogitsProcessor p : ps) {
            p.apply(new int[] {0, 4, 3, 3, 3}, 5, last, 0, 6);
        }
        // max_length 6, length 5: forced EOS
        assertEquals(0f, last[2]);
        assertEquals(NEG, last[3]);
    }
}
