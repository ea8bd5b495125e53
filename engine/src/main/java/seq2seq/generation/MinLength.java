package seq2seq.generation;

/** No EOS while the decoder sequence (start token included) is shorter than the minimum. */
final class MinLength implements LogitsProcessor {
    /** Hugging Face's min_length */
    private final int minLength;
    /** the end-of-sequence id */
    private final int eos;

    MinLength(int minLength, int eos) {
        this.minLength = minLength;
        this.eos = eos;
    }

    @Override
    public int[] uniformBans(int len, int vocab) {
        return len < minLength && eos < vocab ? new int[] {eos} : new int[0];
    }

    @Override
    public void apply(int[] seq, int len, float[] scores, int off, int vocab) {
        if (len < minLength) {
            scores[off + eos] = Float.NEGATIVE_INFINITY;
        }
    }
}
