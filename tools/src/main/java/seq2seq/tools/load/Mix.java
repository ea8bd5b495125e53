package seq2seq.tools.load;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What the requests of a run say: a fresh sentence (one of the input file's, made unique past the end of the file so
 * that the translation memory cannot help), or, with probability {@code repeatShare}, a repeat of an earlier request of
 * the same step (same key, so it lands on the partition that remembers it; same text). Fresh sentences are numbered
 * across the whole run, so no step sees an earlier step's sentences as fresh ones.
 */
public final class Mix {
    /** key and text of one request */
    public record Text(String key, String text) {
    }

    private final List<String> sentences;
    private final double repeatShare;
    private final String tag;
    private long fresh;

    /**
     * @param tag added to the keys and to the suffix of unique-made sentences (a run against a real cluster, whose
     *            memory outlives the run, uses a new one each time); empty for none
     */
    public Mix(List<String> sentences, double repeatShare, String tag) {
        if (sentences.isEmpty()) {
            throw new IllegalArgumentException("no sentences");
        }
        if (!(repeatShare >= 0 && repeatShare < 1)) {
            throw new IllegalArgumentException("repeat share must be in [0, 1), found " + repeatShare);
        }
        this.sentences = List.copyOf(sentences);
        this.repeatShare = repeatShare;
        this.tag = tag;
    }

    /** The texts of {@code count} requests of one step, drawn from {@code seed}. */
    public List<Text> step(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Text> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (!out.isEmpty() && random.nextDouble() < repeatShare) {
                out.add(out.get(random.nextInt(out.size())));
            } else {
                out.add(nextFresh());
            }
        }
        return out;
    }

    private Text nextFresh() {
        long k = fresh++;
        String s = sentences.get((int) (k % sentences.size()));
        long round = k / sentences.size();
        String text = round == 0 && tag.isEmpty() ? s : s + " (" + tag + round + ")";
        return new Text(tag + "s" + k, text);
    }
}
