package seq2seq.generation;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EncoderGroupsTest {

    @Test
    void similarLengthsStayInOneGroup() {
        int[] lengths = new int[32];
        Arrays.fill(lengths, 20);
        lengths[3] = 22;
        assertEquals(1, EncoderGroups.plan(lengths).size());
    }

    @Test
    void shortAndLongRowsAreEncodedApart() {
        int[] lengths = new int[32];
        for (int i = 0; i < 32; i++) {
            lengths[i] = i % 2 == 0 ? 6 : 48;
        }
        List<int[]> groups = EncoderGroups.plan(lengths);
        assertEquals(2, groups.size());
        for (int[] g : groups) {
            int first = lengths[g[0]];
            assertTrue(Arrays.stream(g).allMatch(i -> lengths[i] == first), Arrays.toString(g));
        }
    }

    @Test
    void everyRowIsInExactlyOneGroupAndPaddingIsBounded() {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 50; trial++) {
            int[] lengths = rnd.ints(1 + rnd.nextInt(64), 1, 120).toArray();
            List<int[]> groups = EncoderGroups.plan(lengths);
            int[] seen = new int[lengths.length];
            long padded = 0;
            for (int[] g : groups) {
                int longest = 0;
                for (int i : g) {
                    seen[i]++;
                    longest = Math.max(longest, lengths[i]);
                }
                padded += (long) longest * g.length;
            }
            int[] once = new int[lengths.length];
            Arrays.fill(once, 1);
            assertArrayEquals(once, seen);
            long oneGroup = (long) Arrays.stream(lengths).max().orElse(0) * lengths.length;
            assertTrue(padded <= oneGroup, "grouping never costs more than one padded batch");
        }
    }
}
