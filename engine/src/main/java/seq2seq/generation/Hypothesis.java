package seq2seq.generation;

/**
 * One generated sequence.
 *
 * @param tokens    generated ids: without the decoder start token, with the final EOS when the sequence ended on one
 * @param logProb   sum of the token log-probabilities (after the logits processors)
 * @param score     beam search: logProb / generated length ^ length_penalty (the length counts the EOS);
 *                  greedy: logProb / generated length; NaN when not computed
 * @param finished  ended on EOS (false: stopped at the length cap)
 */
public record Hypothesis(int[] tokens, float logProb, float score, boolean finished) {

    /** tokens without a final EOS */
    public int[] contentTokens(int eos) {
        return finished && tokens.length > 0 && tokens[tokens.length - 1] == eos
                ? java.util.Arrays.copyOf(tokens, tokens.length - 1) : tokens;
    }
}
