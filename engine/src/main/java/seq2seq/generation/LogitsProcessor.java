package seq2seq.generation;

import java.util.ArrayList;
import java.util.List;

/** Changes one row's next-token scores in place, given the decoder sequence so far (Hugging Face's LogitsProcessor). */
public interface LogitsProcessor {

    /**
     * @param seq    the decoder sequence, start token first
     * @param len    its length (Hugging Face's cur_len)
     * @param scores holds the row at [off, off + vocab)
     */
    void apply(int[] seq, int len, float[] scores, int off, int vocab);

    /**
     * When all this processor does at sequence length {@code len} is ban tokens, the same ones in every row: those
     * tokens (maybe none), so that the search can pick in native memory with a ban mask instead of reading the scores.
     * Null when it changes the scores in another way at that length (row-dependent bans, penalties, forced tokens).
     */
    default int[] uniformBans(int len, int vocab) {
        return null;
    }

    /** The union of the processors' {@link #uniformBans}; null when one of them needs the scores themselves. */
    static int[] uniformBans(List<LogitsProcessor> processors, int len, int vocab) {
        java.util.BitSet all = new java.util.BitSet(vocab);
        for (LogitsProcessor p : processors) {
            int[] bans = p.uniformBans(len, vocab);
            if (bans == null) {
                return null;
            }
            for (int t : bans) {
                all.set(t);
            }
        }
        return all.stream().toArray();
    }

    /** The processors the options ask for, in Hugging Face's order. */
    static List<LogitsProcessor> of(GenerationOptions o, int eos) {
        List<LogitsProcessor> list = new ArrayList<>();
        if (o.repetitionPenalty() != 1.0) {
            list.add(new RepetitionPenalty((float) o.repetitionPenalty()));
        }
        if (o.noRepeatNgramSize() > 0) {
            list.add(new NoRepeatNgram(o.noRepeatNgramSize()));
        }
        List<int[]> bad = o.badWordsIds().stream().filter(s -> !(s.length == 1 && s[0] == eos)).toList();
        if (!bad.isEmpty()) {
            list.add(new BadWords(bad));
        }
        if (o.minLength() > 0) {
            list.add(new MinLength(o.minLength(), eos));
        }
        if (o.forcedBosTokenId() != null) {
            list.add(new ForcedToken(1, o.forcedBosTokenId()));
        }
        if (o.forcedEosTokenId() != null) {
            list.add(new ForcedToken(o.maxLength() - 1, o.forcedEosTokenId()));
        }
        return list;
    }
}
