package seq2seq.generation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BeamHypothesesTest {

    @Test
    void keepsTheBestNormalisedByLengthAndStopsByTheHeuristic() {
        BeamHypotheses h = new BeamHypotheses(2, 1.0, EarlyStopping.FALSE, 10);
        h.add(new int[] {1, 2}, -2f, 2, true);      // -1.0
        assertFalse(h.isDone(-0.5f, 2));
        h.add(new int[] {1, 2, 3, 4}, -2f, 4, true); // -0.5
        h.add(new int[] {5}, -3f, 1, true);          // -3.0: not kept
        List<Hypothesis> best = h.best(2);
        assertArrayEquals(new int[] {1, 2, 3, 4}, best.get(0).tokens());
        assertEquals(-0.5f, best.get(0).score());
        assertEquals(-1.0f, best.get(1).score());
        // a live beam with sum -4 at 3 tokens could reach -1.33 < worst -1.0: done
        assertTrue(h.isDone(-4f, 3));
        assertFalse(h.isDone(-2f, 3));
    }

    @Test
    void earlyStoppingTrueStopsOnceFull() {
        BeamHypotheses h = new BeamHypotheses(1, 1.0, EarlyStopping.TRUE, 10);
        assertFalse(h.isDone(0f, 1));
        h.add(new int[] {1}, -5f, 1, true);
        assertTrue(h.isDone(0f, 1));
    }
}
