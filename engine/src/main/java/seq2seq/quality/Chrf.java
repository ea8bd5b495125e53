package seq2seq.quality;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * chrF and chrF++ exactly as sacreBLEU 2.x computes them: character n-grams of the text with whitespace removed,
 * optionally word n-grams after splitting punctuation off word ends; per order [hypothesis, reference, match]
 * counts summed over the corpus; precision and recall averaged over the orders that both sides have (or, with
 * epsilon smoothing, F averaged over all orders), then F-beta.
 *
 * @param charOrder     character n-gram orders 1..charOrder
 * @param wordOrder     word n-gram orders 1..wordOrder (2 makes chrF++)
 * @param beta          recall weighs beta times as much as precision
 * @param epsSmoothing  chrF++.py/NLTK style: average F over all orders, 1e-16 for empty ones (sacreBLEU's default is off)
 * @param whitespace    keep whitespace in the character n-grams (sacreBLEU's default is off)
 */
public record Chrf(int charOrder, int wordOrder, int beta, boolean epsSmoothing, boolean whitespace) {
    /** sacreBLEU's chrF (chrF2) */
    public static final Chrf CHRF = new Chrf(6, 0, 2, false, false);
    /** sacreBLEU's chrF++ (chrF2++) */
    public static final Chrf CHRF_PLUS_PLUS = new Chrf(6, 2, 2, false, false);
    /** string.punctuation: split off word ends for the word n-grams */
    private static final Set<Integer> PUNCTUATION = Set.copyOf("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".chars().boxed().toList());
    private static final double EPS = 1e-16;

    public Chrf {
        if (charOrder < 0 || wordOrder < 0 || charOrder + wordOrder == 0 || beta < 1) {
            throw new IllegalArgumentException("chrF needs orders >= 0 (not both 0) and beta >= 1, found char "
                    + charOrder + ", word " + wordOrder + ", beta " + beta);
        }
    }

    /** One segment's score on the 0-100 scale (the corpus score of a corpus of one). */
    public double sentence(String hyp, String ref) {
        return corpus(List.of(hyp), List.of(List.of(ref)));
    }

    /** Corpus score on the 0-100 scale. */
    public double corpus(List<String> hyps, List<List<String>> refStreams) {
        List<List<String>> refs = Corpus.segmentReferences(hyps, refStreams);
        long[] sum = new long[3 * (charOrder + wordOrder)];
        for (int i = 0; i < hyps.size(); i++) {
            Corpus.add(sum, segmentStats(hyps.get(i), refs.get(i)));
        }
        return fScore(sum);
    }

    /** [hypothesis count, reference count, matches] per order, against the reference that scores best. */
    long[] segmentStats(String hyp, List<String> refs) {
        List<Map<String, Integer>> h = ngrams(hyp);
        long[] best = null;
        double bestF = -1.0;
        for (String r : refs) {
            List<Map<String, Integer>> rg = ngrams(r);
            long[] s = new long[3 * h.size()];
            for (int k = 0; k < h.size(); k++) {
                Map<String, Integer> ref = rg.get(k);
                s[3 * k] = ref.isEmpty() ? 0 : NGrams.total(h.get(k)); // no hypothesis count without a reference
                s[3 * k + 1] = NGrams.total(ref);
                s[3 * k + 2] = NGrams.clippedMatches(h.get(k), ref);
            }
            double f = fScore(s);
            if (f > bestF) {
                bestF = f;
                best = s;
            }
        }
        return best;
    }

    /** Character n-grams of orders 1..charOrder, then word n-grams of orders 1..wordOrder. */
    private List<Map<String, Integer>> ngrams(String text) {
        List<Map<String, Integer>> out = new ArrayList<>(charOrder + wordOrder);
        int[] chars = (whitespace ? text : PyText.removeSpace(text)).codePoints().toArray();
        for (int n = 1; n <= charOrder; n++) {
            out.add(NGrams.chars(chars, n));
        }
        if (wordOrder > 0) {
            List<String> words = words(text);
            for (int n = 1; n <= wordOrder; n++) {
                out.add(NGrams.words(words, n));
            }
        }
        return out;
    }

    /** Whitespace-separated words with one punctuation mark split off the end, or else the start, of each. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String w : PyText.split(text)) {
            int len = w.codePointCount(0, w.length());
            if (len == 1) {
                out.add(w);
                continue;
            }
            int last = w.codePointBefore(w.length());
            int first = w.codePointAt(0);
            if (PUNCTUATION.contains(last)) {
                int cut = w.length() - Character.charCount(last);
                out.add(w.substring(0, cut));
                out.add(w.substring(cut));
            } else if (PUNCTUATION.contains(first)) {
                int cut = Character.charCount(first);
                out.add(w.substring(0, cut));
                out.add(w.substring(cut));
            } else {
                out.add(w);
            }
        }
        return out;
    }

    /** The score of summed statistics, with sacreBLEU's operations in its order. */
    double fScore(long[] stats) {
        int factor = beta * beta;
        int orders = stats.length / 3;
        double epsScore = 0.0;
        double avgPrec = 0.0;
        double avgRec = 0.0;
        int effective = 0;
        for (int k = 0; k < orders; k++) {
            long nHyp = stats[3 * k];
            long nRef = stats[3 * k + 1];
            long nMatch = stats[3 * k + 2];
            double prec = nHyp > 0 ? (double) nMatch / nHyp : EPS;
            double rec = nRef > 0 ? (double) nMatch / nRef : EPS;
            double denom = factor * prec + rec;
            epsScore += denom > 0 ? (1 + factor) * prec * rec / denom : EPS;
            if (nHyp > 0 && nRef > 0) {
                avgPrec += prec;
                avgRec += rec;
                effective++;
            }
        }
        if (epsSmoothing) {
            return 100 * epsScore / orders;
        }
        if (effective == 0) {
            return 0.0;
        }
        avgPrec /= effective;
        avgRec /= effective;
        if (avgPrec + avgRec == 0) {
            return 0.0;
        }
        double score = (1 + factor) * avgPrec * avgRec;
        score /= factor * avgPrec + avgRec;
        return 100 * score;
    }
}
