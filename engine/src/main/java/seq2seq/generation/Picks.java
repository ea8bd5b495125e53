package seq2seq.generation;

/** One greedy step's outcome: each row's token and its log-probability among the row's allowed tokens (or null). */
record Picks(int[] tokens, float[] logProbs) {

    /** In Java (the reference of the native pick): bans, then each row's first best token and its log-probability. */
    static Picks of(float[] logits, int rows, int vocab, int[] banned) {
        int[] tokens = new int[rows];
        float[] logProbs = new float[rows];
        for (int r = 0; r < rows; r++) {
            int off = r * vocab;
            for (int t : banned) {
                logits[off + t] = Float.NEGATIVE_INFINITY;
            }
            tokens[r] = argMax(logits, off, vocab);
            logProbs[r] = logits[off + tokens[r]] - LogSoftmax.logNormaliser(logits, off, vocab);
        }
        return new Picks(tokens, logProbs);
    }

    /** The index within [off, off + n) of the first largest entry. */
    static int argMax(float[] x, int off, int n) {
        int best = off;
        for (int i = off + 1; i < off + n; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best - off;
    }
}
