package seq2seq.quality;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ROUGE-1, ROUGE-2 and ROUGE-L F1 with the semantics of Google's rouge-score ({@code RougeScorer(["rouge1",
 * "rouge2", "rougeL"], use_stemmer)}): text lower-cased, every run of characters other than a-z and 0-9 a
 * separator, tokens longer than three letters Porter-stemmed when asked; ROUGE-N from clipped n-gram counts, ROUGE-L
 * from the longest common subsequence of the two token lists (sentence level). With several references a line
 * takes, per measure, the reference that gives the best F1 (as rouge-score's score_multi); the corpus score is the
 * mean over lines, on the 0-100 scale (the mean that its BootstrapAggregator reports as "mid").
 *
 * @param stem Porter-stem tokens longer than three characters (rouge-score's use_stemmer)
 */
public record Rouge(boolean stem) {

    /** Precision, recall and F1 of one line, each 0..1. */
    public record Score(double precision, double recall, double f1) {
        static Score of(long matches, long predicted, long target) {
            double p = matches / (double) Math.max(predicted, 1);
            double r = matches / (double) Math.max(target, 1);
            return new Score(p, r, p + r > 0 ? 2 * p * r / (p + r) : 0.0);
        }
    }

    /** The corpus means, 0-100. */
    public record Result(double rouge1, double rouge2, double rougeL, int segments) {
        /** "ROUGE-1 45.67  ROUGE-2 23.45  ROUGE-L 43.21" */
        public String format() {
            return String.format(Locale.ROOT, "ROUGE-1 %6.2f  ROUGE-2 %6.2f  ROUGE-L %6.2f", rouge1, rouge2, rougeL);
        }
    }

    /** Mean best-reference F1 of each measure over the lines. */
    public Result corpus(List<String> hyps, List<List<String>> refStreams) {
        List<List<String>> refs = Corpus.segmentReferences(hyps, refStreams);
        double[] sum = new double[3];
        for (int i = 0; i < hyps.size(); i++) {
            List<String> h = tokenize(hyps.get(i));
            double[] best = new double[3];
            for (String r : refs.get(i)) {
                List<String> t = tokenize(r);
                best[0] = Math.max(best[0], rougeN(t, h, 1).f1());
                best[1] = Math.max(best[1], rougeN(t, h, 2).f1());
                best[2] = Math.max(best[2], rougeL(t, h).f1());
            }
            for (int k = 0; k < 3; k++) {
                sum[k] += best[k];
            }
        }
        int n = Math.max(hyps.size(), 1);
        return new Result(100 * sum[0] / n, 100 * sum[1] / n, 100 * sum[2] / n, hyps.size());
    }

    /** rouge-score's default tokenizer. */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        for (String t : text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (!t.isEmpty()) {
                out.add(stem && t.length() > 3 ? PorterStemmer.stem(t) : t);
            }
        }
        return out;
    }

    /** ROUGE-N of a prediction against a target, both tokenized. */
    public static Score rougeN(List<String> target, List<String> prediction, int n) {
        Map<String, Integer> t = NGrams.words(target, n);
        Map<String, Integer> p = NGrams.words(prediction, n);
        return Score.of(NGrams.clippedMatches(p, t), NGrams.total(p), NGrams.total(t));
    }

    /** ROUGE-L: the longest common subsequence over the prediction's and the target's lengths. */
    public static Score rougeL(List<String> target, List<String> prediction) {
        if (target.isEmpty() || prediction.isEmpty()) {
            return new Score(0, 0, 0);
        }
        return Score.of(lcs(target, prediction), prediction.size(), target.size());
    }

    /** Length of the longest common subsequence, one row of the table at a time. */
    static int lcs(List<String> a, List<String> b) {
        int[] prev = new int[b.size() + 1];
        int[] cur = new int[b.size() + 1];
        for (String x : a) {
            for (int j = 1; j <= b.size(); j++) {
                cur[j] = x.equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] swap = prev;
            prev = cur;
            cur = swap;
        }
        return prev[b.size()];
    }
}
