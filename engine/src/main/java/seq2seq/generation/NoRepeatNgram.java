package seq2seq.generation;

/** Bans every token that would complete an n-gram already present in the sequence. */
final class NoRepeatNgram implements LogitsProcessor {
    /** the n-gram size */
    private final int n;

    NoRepeatNgram(int n) {
        this.n = n;
    }

    @Override
    public void apply(int[] seq, int len, float[] scores, int off, int vocab) {
        if (len + 1 < n) {
            return;
        }
        // the last n-1 tokens are the prefix; any earlier n-gram with the same prefix bans its last token
        int prefixStart = len - (n - 1);
        for (int start = 0; start + n <= len; start++) {
            boolean match = true;
            for (int j = 0; j < n - 1 && match; j++) {
                match = seq[start + j] == seq[prefixStart + j];
            }
            if (match) {
                int banned = seq[start + n - 1];
                if (banned >= 0 && banned < vocab) {
                    scores[off + banned] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }
}
