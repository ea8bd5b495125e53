package seq2seq.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Splits inputs into batches of similar length: sorted by length, each batch capped by a token budget
 * (padded source tokens times beams) and a row count. An input over the budget on its own gets its own batch.
 */
final class LengthBatches {
    private LengthBatches() {
    }

    /** The indices of {@code lengths}, shortest first (a stable sort: equal lengths keep their order). */
    static Integer[] byLength(int[] lengths) {
        Integer[] order = new Integer[lengths.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> lengths[i]));
        return order;
    }

    /** Index groups into lengths; every index appears in exactly one group. */
    static List<int[]> plan(int[] lengths, int beams, int budgetTokens, int maxInputs) {
        Integer[] order = byLength(lengths);
        List<int[]> batches = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        for (int i : order) {
            // sorted ascending, so this input's length is the padded length of the batch it joins
            long cost = (long) (current.size() + 1) * beams * lengths[i];
            if (!current.isEmpty() && (cost > budgetTokens || current.size() == maxInputs)) {
                batches.add(current.stream().mapToInt(Integer::intValue).toArray());
                current.clear();
            }
            current.add(i);
        }
        if (!current.isEmpty()) {
            batches.add(current.stream().mapToInt(Integer::intValue).toArray());
        }
        return batches;
    }

    /**
     * Inputs cut into {@code ways} batches that run at once (one per worker), so that they finish together: sorted by
     * length, cut where the slowest batch's estimated cost is least. A batch costs its inputs times (its padded
     * source length + {@code rowCost}): the encoder and cross-attention pay per padded source token, the decoder per
     * row and step, {@code rowCost} in the same units. With equal counts the batch of the longest inputs would be
     * the slowest, and the other worker would wait for it; it gets fewer inputs instead. Each batch stays within the
     * budget (padded source tokens x beams) and the row cap; null when no cut into {@code ways} batches does.
     */
    static List<int[]> balanced(int[] lengths, int beams, int budgetTokens, int maxInputs, int ways, double rowCost) {
        int n = lengths.length;
        Integer[] order = byLength(lengths);
        ways = Math.min(ways, n);
        // worst[k][j]: least cost of the slowest batch when the first j sorted inputs make k batches; from[k][j]: where
        // the last of those batches starts
        double[][] worst = new double[ways + 1][n + 1];
        int[][] from = new int[ways + 1][n + 1];
        for (double[] w : worst) {
            Arrays.fill(w, Double.POSITIVE_INFINITY);
        }
        worst[0][0] = 0;
        for (int k = 1; k <= ways; k++) {
            for (int j = k; j <= n; j++) {
                long longest = lengths[order[j - 1]]; // sorted: a batch's last input is its longest
                for (int i = k - 1; i < j; i++) {
                    int size = j - i;
                    if (worst[k - 1][i] == Double.POSITIVE_INFINITY || size > maxInputs
                            || (size > 1 && (long) size * beams * longest > budgetTokens)) {
                        continue;
                    }
                    double slowest = Math.max(worst[k - 1][i], size * (longest + rowCost));
                    if (slowest < worst[k][j]) {
                        worst[k][j] = slowest;
                        from[k][j] = i;
                    }
                }
            }
        }
        if (worst[ways][n] == Double.POSITIVE_INFINITY) {
            return null;
        }
        List<int[]> batches = new ArrayList<>();
        for (int k = ways, j = n; k > 0; j = from[k][j], k--) {
            batches.add(0, Arrays.stream(order, from[k][j], j).mapToInt(Integer::intValue).toArray());
        }
        return batches;
    }
}
