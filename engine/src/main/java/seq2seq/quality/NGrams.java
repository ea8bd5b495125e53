package seq2seq.quality;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** n-gram counting shared by BLEU and chrF. Tokens hold no whitespace, so a space-joined key is unambiguous. */
final class NGrams {
    private NGrams() {
    }

    /** Counts of the word n-grams of one order. */
    static Map<String, Integer> words(List<String> tokens, int n) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            counts.merge(n == 1 ? tokens.get(i) : String.join(" ", tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }

    /** Counts of the character n-grams of one order; characters are code points, as Python indexes strings. */
    static Map<String, Integer> chars(int[] codePoints, int n) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= codePoints.length; i++) {
            counts.merge(new String(codePoints, i, n), 1, Integer::sum);
        }
        return counts;
    }

    /** Sum of the counts. */
    static long total(Map<String, Integer> counts) {
        long t = 0;
        for (int c : counts.values()) {
            t += c;
        }
        return t;
    }

    /** Hypothesis n-grams that the reference has, each clipped at the reference's count. */
    static long clippedMatches(Map<String, Integer> hyp, Map<String, Integer> ref) {
        long m = 0;
        for (Map.Entry<String, Integer> e : hyp.entrySet()) {
            Integer r = ref.get(e.getKey());
            if (r != null) {
                m += Math.min(e.getValue(), r);
            }
        }
        return m;
    }
}
