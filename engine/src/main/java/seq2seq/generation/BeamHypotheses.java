package seq2seq.generation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The finished hypotheses of one input in beam search, at most numBeams, scored as Hugging Face scores them. */
final class BeamHypotheses {
    private final int numBeams;
    private final double lengthPenalty;
    private final EarlyStopping earlyStopping;
    /** the cap on generated tokens (for EarlyStopping.NEVER) */
    private final int maxNewTokens;
    /** kept hypotheses in the order they were added */
    private final List<Hypothesis> beams = new ArrayList<>();
    /** their scores, in double precision as Python computes them */
    private final List<Double> scores = new ArrayList<>();
    private double worstScore = 1e9;

    BeamHypotheses(int numBeams, double lengthPenalty, EarlyStopping earlyStopping, int maxNewTokens) {
        this.numBeams = numBeams;
        this.lengthPenalty = lengthPenalty;
        this.earlyStopping = earlyStopping;
        this.maxNewTokens = maxNewTokens;
    }

    int size() {
        return beams.size();
    }

    /**
     * @param tokens       generated tokens (EOS included when finished)
     * @param sumLogProbs  the beam's score: sum of its tokens' log-probabilities
     * @param generatedLen the length the score is normalised by
     */
    void add(int[] tokens, float sumLogProbs, int generatedLen, boolean finished) {
        double score = sumLogProbs / Math.pow(generatedLen, lengthPenalty);
        if (beams.size() < numBeams || score > worstScore) {
            beams.add(new Hypothesis(tokens, sumLogProbs, (float) score, finished));
            scores.add(score);
            if (beams.size() > numBeams) {
                // drop the worst (the earliest added among equals); the next worst becomes the bar
                int worst = 0;
                for (int i = 1; i < scores.size(); i++) {
                    if (scores.get(i) < scores.get(worst)) {
                        worst = i;
                    }
                }
                beams.remove(worst);
                scores.remove(worst);
                worstScore = scores.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            } else {
                worstScore = Math.min(score, worstScore);
            }
        }
    }

    /**
     * Whether no live beam can do better.
     *
     * @param bestSumLogProbs the best candidate's sum of log-probabilities at this step
     * @param generatedLen    generated tokens counting this step's
     */
    boolean isDone(float bestSumLogProbs, int generatedLen) {
        if (beams.size() < numBeams) {
            return false;
        }
        return switch (earlyStopping) {
            case TRUE -> true;
            case FALSE -> worstScore >= bestSumLogProbs / Math.pow(generatedLen, lengthPenalty);
            case NEVER -> worstScore >= bestSumLogProbs / Math.pow(lengthPenalty > 0 ? maxNewTokens : generatedLen, lengthPenalty);
        };
    }

    /** The best n, best first (a stable sort: earlier added first among equals, as Python's sorted + pop gives the later). */
    List<Hypothesis> best(int n) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < beams.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble(scores::get));
        List<Hypothesis> out = new ArrayList<>();
        for (int i = order.size() - 1; i >= 0 && out.size() < n; i--) {
            out.add(beams.get(order.get(i)));
        }
        return out;
    }
}
