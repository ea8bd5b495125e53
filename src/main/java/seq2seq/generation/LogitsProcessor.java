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
