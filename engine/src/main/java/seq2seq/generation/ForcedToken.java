package seq2seq.generation;

import java.util.Arrays;

/** At one sequence length, only one token is possible (forced BOS at length 1, forced EOS at max_length - 1). */
final class ForcedToken implements LogitsProcessor {
    /** the decoder sequence length at which the token is forced */
    private final int atLength;
    /** the forced token */
    private final int token;

    ForcedToken(int atLength, int token) {
        this.atLength = atLength;
        this.token = token;
    }

    /** Nothing away from its length; at its length it is not a ban. */
    @Override
    public int[] uniformBans(int len, int vocab) {
        return len == atLength ? null : new int[0];
    }

    @Override
    public void apply(int[] seq, int len, float[] scores, int off, int vocab) {
        if (len == atLength) {
            Arrays.fill(scores, off, off + vocab, Float.NEGATIVE_INFINITY);
            scores[off + token] = 0;
        }
    }
}
