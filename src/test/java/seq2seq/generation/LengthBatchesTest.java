package seq2seq.generation;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LengthBatchesTest {

    @Test
    void sortsByLengthAndKeepsEachBatchUnderTheBudget() {
        int[] lengths = {10, 3, 7, 3, 20, 5};
        List<int[]> batches = LengthBatches.plan(lengths, 1, 20, 64);
        int[] all = batches.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, all);
        int previousMax = 0;
        for (int[] b : batches) {
            int max = Arrays.stream(b).map(i -> lengths[i]).max().orElseThrow();
            assertTrue(b.length == 1 || b.length * max <= 20, "batch over budget: " + Arrays.toString(b));
            assertTrue(max >= previousMax, "batches come in length order");
            previousMax = max;
        }
        // the 20-token input is over budget with any company: alone
        assertArrayEquals(new int[] {4}, batches.get(batches.size() - 1));
    }

    @Test
    void beamsCountAgainstTheBudgetAndRowsAreCapped() {
        int[] lengths = new int[10];
        Arrays.fill(lengths, 4);
        assertEquals(5, LengthBatches.plan(lengths, 4, 32, 64).size()); // 2 inputs x 4 beams x 4 tokens
        assertEquals(4, LengthBatches.plan(lengths, 1, 1000, 3).size());
    }
}
