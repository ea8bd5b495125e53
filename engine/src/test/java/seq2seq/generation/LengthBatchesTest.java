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
    void balancedCutGivesTheBatchOfLongerInputsFewerOfThem() {
        int[] lengths = new int[32];
        for (int i = 0; i < 32; i++) {
            lengths[i] = 32 - i; // 32 down to 1: the cut must sort them
        }
        // a batch costs inputs x (longest + 32): 16/16 costs 16 x 48 and 16 x 64; 18/14 costs 18 x 50 and 14 x 64
        List<int[]> batches = LengthBatches.balanced(lengths, 1, 100_000, 64, 2, 32);
        assertEquals(2, batches.size());
        assertEquals(18, batches.get(0).length);
        assertEquals(14, batches.get(1).length);
        assertArrayEquals(new int[] {13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, batches.get(1)); // lengths 19 to 32
        int[] all = batches.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        assertArrayEquals(java.util.stream.IntStream.range(0, 32).toArray(), all);
    }

    @Test
    void balancedCutOfEqualInputsIsEvenAndKeepsTheCaps() {
        int[] lengths = new int[32];
        Arrays.fill(lengths, 10);
        List<int[]> even = LengthBatches.balanced(lengths, 1, 100_000, 64, 2, 50);
        assertEquals(List.of(16, 16), even.stream().map(b -> b.length).toList());
        // with no decoder cost the cut follows the padding alone; the row cap still holds
        int[] skewed = new int[32];
        for (int i = 0; i < 32; i++) {
            skewed[i] = i < 24 ? 5 : 40;
        }
        List<int[]> capped = LengthBatches.balanced(skewed, 1, 100_000, 20, 2, 0);
        assertTrue(capped.stream().allMatch(b -> b.length <= 20));
        // the budget counts beams: 4 beams x 16 inputs x 10 tokens = 640 fits, 17 inputs do not
        assertEquals(List.of(16, 16), LengthBatches.balanced(lengths, 4, 640, 64, 2, 0).stream().map(b -> b.length).toList());
        assertEquals(null, LengthBatches.balanced(lengths, 4, 639, 64, 2, 0), "no cut in two keeps under the budget");
        assertEquals(null, LengthBatches.balanced(lengths, 1, 100_000, 15, 2, 0), "no cut in two keeps under the row cap");
        assertEquals(1, LengthBatches.balanced(new int[] {7}, 1, 100_000, 64, 2, 50).size(), "one input, one batch");
    }

    @Test
    void beamsCountAgainstTheBudgetAndRowsAreCapped() {
        int[] lengths = new int[10];
        Arrays.fill(lengths, 4);
        assertEquals(5, LengthBatches.plan(lengths, 4, 32, 64).size()); // 2 inputs x 4 beams x 4 tokens
        assertEquals(4, LengthBatches.plan(lengths, 1, 1000, 3).size());
    }
}
