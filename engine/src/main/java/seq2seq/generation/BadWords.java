package seq2seq.generation;

import java.util.List;

/** Never generates the given token sequences: a sequence's last token is banned when the sequence so far ends with the rest. */
final class BadWords implements LogitsProcessor {
    /** the banned sequences */
    private final List<int[]> sequences;

    BadWords(List<int[]> sequences) {
        this.sequences = sequences;
    }

    /** Single-token entries ban the same token everywhere; a longer entry depends on the row's last tokens. */
    @Override
    public int[] uniformBans(int len, int vocab) {
        java.util.stream.IntStream.Builder out = java.util.stream.IntStream.builder();
        for (int[] bad : sequences) {
            if (bad.length != 1) {
                return null;
            }
            if (bad[0] >= 0 && bad[0] < vocab) {
                out.add(bad[0]);
            }
        }
        return out.build().toArray();
    }

    @Override
    public void apply(int[] seq, int len, float[] scores, int off, int vocab) {
        for (int[] bad : sequences) {
            int prefix = bad.length - 1;
            if (prefix > len) {
                continue;
            }
            boolean match = true;
            for (int j = 0; j < prefix && match; j++) {
                match = seq[len - prefix + j] == bad[j];
            }
            int last = bad[prefix];
            if (match && last >= 0 && last < vocab) {
                scores[off + last] = Float.NEGATIVE_INFINITY;
            }
        }
    }
}
