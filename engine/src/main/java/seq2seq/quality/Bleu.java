package seq2seq.quality;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus BLEU exactly as sacreBLEU 2.x computes it by default: 13a tokens, 1-4-gram precisions clipped by the
 * references, "exp" smoothing (NIST), brevity penalty from the summed lengths (closest reference length per
 * segment), 0 when no n-gram matches at all.
 */
public final class Bleu {
    /** highest n-gram order */
    static final int MAX_ORDER = 4;
    /** sacreBLEU's log of a zero precision */
    private static final double LOG_ZERO = -9999999999.0;

    private Bleu() {
    }

    /** Corpus BLEU on the 0-100 scale. */
    public static double corpus(List<String> hyps, List<List<String>> refStreams) {
        List<List<String>> refs = Corpus.segmentReferences(hyps, refStreams);
        long[] sum = new long[2 + 2 * MAX_ORDER];
        for (int i = 0; i < hyps.size(); i++) {
            Corpus.add(sum, segmentStats(hyps.get(i), refs.get(i)));
        }
        return fromStats(sum);
    }

    /** [hypothesis length, reference length, correct 1..4, total 1..4] of one segment. */
    static long[] segmentStats(String hyp, List<String> refs) {
        Map<String, Integer> refMax = new HashMap<>(); // per n-gram, the highest count in any reference
        List<Integer> refLens = new ArrayList<>();
        for (String r : refs) {
            List<String> tokens = Tokenizer13a.tokenize(r);
            refLens.add(tokens.size());
            for (int n = 1; n <= MAX_ORDER; n++) {
                NGrams.words(tokens, n).forEach((g, c) -> refMax.merge(g, c, Math::max));
            }
        }
        List<String> tokens = Tokenizer13a.tokenize(hyp);
        long[] s = new long[2 + 2 * MAX_ORDER];
        s[0] = tokens.size();
        s[1] = closestRefLength(tokens.size(), refLens);
        for (int n = 1; n <= MAX_ORDER; n++) {
            Map<String, Integer> h = NGrams.words(tokens, n);
            s[1 + n] = NGrams.clippedMatches(h, refMax);
            s[1 + MAX_ORDER + n] = NGrams.total(h);
        }
        return s;
    }

    /** The reference length closest to the hypothesis length; the shorter one on a tie. */
    private static int closestRefLength(int hypLen, List<Integer> refLens) {
        int bestDiff = -1;
        int best = -1;
        for (int len : refLens) {
            int diff = Math.abs(hypLen - len);
            if (bestDiff == -1 || diff < bestDiff) {
                bestDiff = diff;
                best = len;
            } else if (diff == bestDiff && len < best) {
                best = len;
            }
        }
        return best;
    }

    /** BLEU from summed statistics, with sacreBLEU's operations in its order (so the same doubles come out). */
    static double fromStats(long[] s) {
        long sysLen = s[0];
        long refLen = s[1];
        double bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - (double) refLen / sysLen) : 0.0) : 1.0;
        boolean anyCorrect = false;
        for (int n = 0; n < MAX_ORDER; n++) {
            anyCorrect |= s[2 + n] != 0;
        }
        if (!anyCorrect) {
            return 0.0;
        }
        double[] precisions = new double[MAX_ORDER];
        double smooth = 1.0;
        for (int n = 0; n < MAX_ORDER; n++) {
            long correct = s[2 + n];
            long total = s[2 + MAX_ORDER + n];
            if (total == 0) {
                break;
            }
            if (correct == 0) {
                smooth *= 2;
                precisions[n] = 100.0 / (smooth * total);
            } else {
                precisions[n] = 100.0 * correct / total;
            }
        }
        double logSum = 0.0;
        for (double p : precisions) {
            logSum += p == 0 ? LOG_ZERO : Math.log(p);
        }
        return bp * Math.exp(logSum / MAX_ORDER);
    }
}
