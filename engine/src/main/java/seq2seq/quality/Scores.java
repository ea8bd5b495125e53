package seq2seq.quality;

import java.util.List;

/**
 * The three corpus scores sacreBLEU reports for a translation, on the 0-100 scale.
 *
 * @param bleu          BLEU (13a, exp smoothing)
 * @param chrf          chrF2 (character 6-grams)
 * @param chrfPlusPlus  chrF2++ (plus word 2-grams)
 * @param segments      lines scored
 */
public record Scores(double bleu, double chrf, double chrfPlusPlus, int segments) {

    /** Scores hypotheses against one or more reference sets (each a list as long as the hypotheses). */
    public static Scores of(List<String> hyps, List<List<String>> refStreams) {
        return new Scores(Bleu.corpus(hyps, refStreams), Chrf.CHRF.corpus(hyps, refStreams),
                Chrf.CHRF_PLUS_PLUS.corpus(hyps, refStreams), hyps.size());
    }

    /** "BLEU 12.34  chrF 45.67  chrF++ 43.21", rounded as sacreBLEU prints them. */
    public String format() {
        return String.format(java.util.Locale.ROOT, "BLEU %6.2f  chrF %6.2f  chrF++ %6.2f", bleu, chrf, chrfPlusPlus);
    }
}
