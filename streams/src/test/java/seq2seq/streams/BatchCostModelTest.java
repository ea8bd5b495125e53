package seq2seq.streams;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batch cost model's least-squares fit of time against rows and tokens. */
class BatchCostModelTest {
    private static long nanos(double millis) {
        return (long) (millis * 1e6);
    }

    @Test
    void recoversAnAffineCostOfRowsAndTokens() {
        BatchCostModel m = new BatchCostModel();
        for (int i = 0; i < 100; i++) {
            int rows = 1 + i % 16;
            int tokens = rows * (5 + i % 7); // segments of several lengths: tokens do not follow rows exactly
            m.record(rows, tokens, nanos(5 + 2.0 * rows + 0.1 * tokens));
        }
        assertTrue(m.fitted());
        assertEquals(5 + 2 * 8 + 0.1 * 300, m.predictMillis(8, 300), 0.01);
        assertEquals(5 + 2 * 30 + 0.1 * 100, m.predictMillis(30, 100), 0.01, "beyond the sizes seen: the same line");
    }

    @Test
    void tokensThatFollowRowsExactlyStillPredictAlongThatLine() {
        BatchCostModel m = new BatchCostModel();
        for (int i = 0; i < 50; i++) {
            int rows = 1 + i % 10;
            m.record(rows, 12 * rows, nanos(20 + 3.0 * rows));
        }
        assertEquals(20 + 3 * 32, m.predictMillis(32), 0.01, "32 rows of the usual 12 tokens");
    }

    @Test
    void batchesOfOneSizeTellNoSlope() {
        BatchCostModel m = new BatchCostModel();
        for (int i = 0; i < 50; i++) {
            m.record(4, 40, nanos(30));
        }
        assertFalse(m.fitted());
        assertTrue(Double.isNaN(m.predictMillis(4)));
        assertEquals(50, m.samples());
    }

    @Test
    void theWindowForgetsBatchesMeasuredBeforeTheMachineGotFaster() {
        BatchCostModel m = new BatchCostModel();
        for (int i = 0; i < BatchCostModel.WINDOW; i++) {
            int rows = 1 + i % 8;
            m.record(rows, 10 * rows, nanos(40 + 10.0 * rows));
        }
        assertEquals(120, m.predictMillis(8), 0.01);
        for (int i = 0; i < BatchCostModel.WINDOW; i++) {
            int rows = 1 + i % 8;
            m.record(rows, 10 * rows, nanos(10 + 2.0 * rows));
        }
        assertEquals(26, m.predictMillis(8), 0.01);
        assertEquals(BatchCostModel.WINDOW, m.samples());
    }
}
