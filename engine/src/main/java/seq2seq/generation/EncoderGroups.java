package seq2seq.generation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Splits one batch's rows into groups of similar length for the encoder. The decoder runs all rows together (its
 * matrix products want many rows), but the encoder pays for every padded source token: sentences of 5 and 48 tokens
 * in one batch cost it 96 tokens where 53 do. The split minimises padded tokens plus {@link #RUN_COST_TOKENS} per
 * group (one more encoder run, smaller products), exactly, by dynamic programming over the rows sorted by length.
 */
final class EncoderGroups {
    /** what one more encoder run costs, in padded tokens */
    static final int RUN_COST_TOKENS = 64;

    private EncoderGroups() {
    }

    /** Index groups into lengths, each ascending by length; every index appears in exactly one group. */
    static List<int[]> plan(int[] lengths) {
        int n = lengths.length;
        Integer[] order = LengthBatches.byLength(lengths);
        // best[j]: least cost of the first j sorted rows; cut[j]: where the last group of that best split starts
        long[] best = new long[n + 1];
        int[] cut = new int[n + 1];
        for (int j = 1; j <= n; j++) {
            best[j] = Long.MAX_VALUE;
            long longest = lengths[order[j - 1]]; // sorted: the group's last row is its longest
            for (int i = 0; i < j; i++) {
                long cost = best[i] + (j - i) * longest + RUN_COST_TOKENS;
                if (cost < best[j]) {
                    best[j] = cost;
                    cut[j] = i;
                }
            }
        }
        List<int[]> groups = new ArrayList<>();
        for (int j = n; j > 0; j = cut[j]) {
            int[] g = new int[j - cut[j]];
            for (int k = 0; k < g.length; k++) {
                g[k] = order[cut[j] + k];
            }
            groups.add(g);
        }
        Collections.reverse(groups);
        return groups;
    }
}
