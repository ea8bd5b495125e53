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

    /** Index groups into lengths; every index appears in exactly one group. */
    static List<int[]> plan(int[] lengths, int beams, int budgetTokens, int maxInputs) {
        Integer[] order = new Integer[lengths.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> lengths[i]));
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
}
