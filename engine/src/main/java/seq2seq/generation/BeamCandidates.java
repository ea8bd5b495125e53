package seq2seq.generation;

/**
 * One beam-search step's candidates: for each input, its best continuations over all its rows (beams), best first.
 * A candidate is a total score and a flat index, row within the input * vocab + token.
 */
final class BeamCandidates {
    /** candidates kept per input */
    final int want;
    /** [inputs * want] total scores, best first per input */
    final float[] scores;
    /** [inputs * want] row within the input * vocab + token */
    final int[] flat;
    /** how many of an input's want slots are filled (fewer only when its rows have fewer entries) */
    final int[] count;

    BeamCandidates(int inputs, int want) {
        this.want = want;
        this.scores = new float[inputs * want];
        this.flat = new int[inputs * want];
        this.count = new int[inputs];
    }

    /** From the native top-k: every slot filled. */
    static BeamCandidates of(float[] scores, long[] flat, int inputs, int want) {
        BeamCandidates c = new BeamCandidates(inputs, want);
        System.arraycopy(scores, 0, c.scores, 0, scores.length);
        for (int i = 0; i < flat.length; i++) {
            c.flat[i] = (int) flat[i];
        }
        java.util.Arrays.fill(c.count, want);
        return c;
    }

    /**
     * In Java (the reference of the native top-k): log-probabilities with the bans, plus each row's score, then each
     * input's best; both searches' fallback when the logits are not float.
     */
    static BeamCandidates of(float[] logProbs, int[] banned, float[] rowScores, int rowsPerInput, int want, int vocab) {
        int rows = rowScores.length;
        for (int r = 0; r < rows; r++) {
            for (int t : banned) {
                logProbs[r * vocab + t] = Float.NEGATIVE_INFINITY;
            }
        }
        BeamCandidates c = new BeamCandidates(rows / rowsPerInput, want);
        WorkerPool.parallelFor(rows / rowsPerInput, i -> c.fill(i, logProbs, rowScores, rowsPerInput, vocab));
        return c;
    }

    /**
     * Input i's best candidates over its rows i * rowsPerInput ..: each entry plus its row's score, best first; ties
     * go to the lower flat index, as ONNX's TopK orders them.
     */
    void fill(int i, float[] logProbs, float[] rowScores, int rowsPerInput, int vocab) {
        int base = i * want;
        int n = 0;
        float bar = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < rowsPerInput; j++) {
            int row = i * rowsPerInput + j;
            float rowScore = rowScores[row];
            int off = row * vocab;
            for (int v = 0; v < vocab; v++) {
                float s = logProbs[off + v] + rowScore;
                if (n == want && !(s > bar)) {
                    continue;
                }
                // insert keeping descending order; equal scores keep the earlier one first
                int pos = n < want ? n++ : want - 1;
                while (pos > 0 && scores[base + pos - 1] < s) {
                    scores[base + pos] = scores[base + pos - 1];
                    flat[base + pos] = flat[base + pos - 1];
                    pos--;
                }
                scores[base + pos] = s;
                flat[base + pos] = j * vocab + v;
                if (n == want) {
                    bar = scores[base + want - 1];
                }
            }
        }
        count[i] = n;
    }
}
