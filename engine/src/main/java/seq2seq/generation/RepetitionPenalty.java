package seq2seq.generation;

/** Tokens already in the sequence: positive scores divided by the penalty, negative ones multiplied. */
final class RepetitionPenalty implements LogitsProcessor {
    /** greater than 1 discourages repeats */
    private final float penalty;

    RepetitionPenalty(float penalty) {
        this.penalty = penalty;
    }

    @Override
    public void apply(int[] seq, int len, float[] scores, int off, int vocab) {
        // each distinct token once, as a gather/scatter over the sequence does
        java.util.BitSet seen = new java.util.BitSet(vocab);
        for (int i = 0; i < len; i++) {
            int t = seq[i];
            if (t < 0 || t >= vocab || seen.get(t)) {
                continue;
            }
            seen.set(t);
            float s = scores[off + t];
            scores[off + t] = s < 0 ? s * penalty : s / penalty;
        }
    }
}
