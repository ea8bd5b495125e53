package seq2seq.generation;

/**
 * What a search strategy needs from the model: next-token logits for each live row, and a way to reorder, repeat or
 * drop rows (the cache follows). Rows start as the inputs of the batch, in order.
 */
public interface StepDecoder extends AutoCloseable {

    int vocabSize();

    /** The number of live rows. */
    int rows();

    /**
     * Feeds each row's last token and returns the logits, row-major [rows * vocab].
     * The first call feeds the decoder start token.
     */
    float[] step(int[] lastTokens);

    /** Like {@link #step}, each row turned into log-probabilities (log_softmax), as beam search scores them. */
    default float[] stepLogProbs(int[] lastTokens) {
        float[] x = step(lastTokens);
        LogSoftmax.rowsInPlace(x, vocabSize());
        return x;
    }

    /**
     * A greedy step when the processors only ban tokens, the same in every row: each row's best allowed token and,
     * when {@code withLogProbs}, its log-probability (else they may be null). A decoder may do this where the logits
     * are, so that they are never copied out.
     */
    default Picks stepPick(int[] lastTokens, int[] banned, boolean withLogProbs) {
        return Picks.of(step(lastTokens), lastTokens.length, vocabSize(), banned);
    }

    /**
     * A beam step when the processors only ban tokens, the same in every row: log-probabilities with the bans, plus
     * {@code rowScores} (one per row), and each input's best {@code want} over its {@code rowsPerInput} rows.
     * A decoder may do this where the logits are, so that they are never copied out.
     */
    default BeamCandidates stepTop(int[] lastTokens, int[] banned, float[] rowScores, int rowsPerInput, int want) {
        return BeamCandidates.of(stepLogProbs(lastTokens), banned, rowScores, rowsPerInput, want, vocabSize());
    }

    /**
     * log(sum(exp(row))) of each of {@code rows} rows of {@code logits} (e.g. after the processors), for scores.
     * Thread-safe: a helper thread may call it while the next {@link #step} runs.
     */
    default float[] logNormalisers(float[] logits, int rows) {
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) {
            out[r] = LogSoftmax.logNormaliser(logits, r * vocabSize(), vocabSize());
        }
        return out;
    }

    /** From now on row i is what row rows[i] was (indices may repeat, e.g. to expand to beams, or be left out). */
    void keepRows(int[] rows);

    @Override
    void close();
}
