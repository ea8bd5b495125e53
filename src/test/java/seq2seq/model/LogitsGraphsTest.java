package seq2seq.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class LogitsGraphsTest {
    private static final int ROWS = 3;
    private static final int VOCAB = 1000;

    /** Rows of logits with a very large entry (row 1) and a banned one (row 2), as the searches see them. */
    private static float[] logits() {
        float[] x = new float[ROWS * VOCAB];
        Random rnd = new Random(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 8);
        }
        x[VOCAB + 5] = 1e4f;
        x[2 * VOCAB + 9] = Float.NEGATIVE_INFINITY;
        return x;
    }

    /** log(sum(exp(row))) in double precision, shifted by the row's max */
    private static double logNormaliser(float[] x, int row) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < VOCAB; v++) {
            max = Math.max(max, x[row * VOCAB + v]);
        }
        double sum = 0;
        for (int v = 0; v < VOCAB; v++) {
            sum += Math.exp(x[row * VOCAB + v] - max);
        }
        return max + Math.log(sum);
    }

    @Test
    void logSoftmaxNormalisesEachRowOverTheLastAxis() throws Exception {
        float[] x = logits();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(LogitsGraphs.logSoftmax(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {ROWS, 1, VOCAB});
             OrtSession.Result r = s.run(Map.of(LogitsGraphs.LOGITS, in))) {
            OnnxTensor out = (OnnxTensor) r.get(LogitsGraphs.LOG_PROBS).orElseThrow();
            assertArrayEquals(new long[] {ROWS, 1, VOCAB}, out.getInfo().getShape());
            float[] y = new float[x.length];
            out.getFloatBuffer().get(y);
            for (int row = 0; row < ROWS; row++) {
                double norm = logNormaliser(x, row);
                for (int v = 0; v < VOCAB; v++) {
                    int i = row * VOCAB + v;
                    double want = x[i] - norm;
                    if (Double.isInfinite(want)) {
                        assertEquals(Float.NEGATIVE_INFINITY, y[i], "row " + row + " token " + v);
                    } else {
                        assertEquals(want, y[i], 1e-4 + 1e-6 * Math.abs(want), "row " + row + " token " + v);
                    }
                }
            }
        }
    }

    @Test
    void logSumExpGivesOneNormaliserPerRow() throws Exception {
        float[] x = logits();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(LogitsGraphs.logSumExp(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {ROWS, VOCAB});
             OrtSession.Result r = s.run(Map.of(LogitsGraphs.LOGITS, in))) {
            OnnxTensor out = (OnnxTensor) r.get(LogitsGraphs.LOG_NORMALISERS).orElseThrow();
            assertArrayEquals(new long[] {ROWS}, out.getInfo().getShape());
            float[] y = new float[ROWS];
            out.getFloatBuffer().get(y);
            for (int row = 0; row < ROWS; row++) {
                double want = logNormaliser(x, row);
                assertEquals(want, y[row], 1e-5 * Math.max(1, Math.abs(want)), "row " + row);
            }
        }
    }

    @Test
    void greedyPickTakesEachRowsBestAllowedTokenAndItsLogProbability() throws Exception {
        float[] x = logits();
        int[] banned = {5, 17};
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] ban = new float[VOCAB];
        for (int t : banned) {
            ban[t] = Float.NEGATIVE_INFINITY;
        }
        try (OrtSession s = env.createSession(LogitsGraphs.greedyPick(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {ROWS, 1, VOCAB});
             OnnxTensor mask = OnnxTensor.createTensor(env, FloatBuffer.wrap(ban), new long[] {VOCAB});
             OrtSession.Result r = s.run(Map.of(LogitsGraphs.LOGITS, in, LogitsGraphs.BAN, mask))) {
            long[] tokens = new long[ROWS];
            float[] logProbs = new float[ROWS];
            ((OnnxTensor) r.get(LogitsGraphs.TOKENS).orElseThrow()).getLongBuffer().get(tokens);
            ((OnnxTensor) r.get(LogitsGraphs.TOKEN_LOG_PROBS).orElseThrow()).getFloatBuffer().get(logProbs);
            float[] allowed = x.clone();
            for (int row = 0; row < ROWS; row++) {
                for (int t : banned) {
                    allowed[row * VOCAB + t] = Float.NEGATIVE_INFINITY;
                }
                int best = 0;
                for (int v = 1; v < VOCAB; v++) {
                    if (allowed[row * VOCAB + v] > allowed[row * VOCAB + best]) {
                        best = v;
                    }
                }
                assertEquals(best, tokens[row], "row " + row); // row 1's huge entry is banned: its next best wins
                double want = allowed[row * VOCAB + best] - logNormaliser(allowed, row);
                assertEquals(want, logProbs[row], 1e-4, "row " + row);
            }
        }
    }

    @Test
    void beamTopRanksEachInputsCandidatesOverAllItsRows() throws Exception {
        float[] x = logits();
        int rowsPerInput = ROWS; // one input whose three beams compete
        int k = 6;
        float[] rowScores = {-1.5f, -0.25f, -3f};
        int[] banned = {3};
        float[] ban = new float[VOCAB];
        ban[3] = Float.NEGATIVE_INFINITY;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(LogitsGraphs.beamTop(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {ROWS, 1, VOCAB});
             OnnxTensor mask = OnnxTensor.createTensor(env, FloatBuffer.wrap(ban), new long[] {VOCAB});
             OnnxTensor scores = OnnxTensor.createTensor(env, FloatBuffer.wrap(rowScores), new long[] {ROWS, 1, 1});
             OnnxTensor shape = OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(new long[] {1, (long) rowsPerInput * VOCAB}), new long[] {2});
             OnnxTensor kk = OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(new long[] {k}), new long[] {1});
             OrtSession.Result r = s.run(Map.of(LogitsGraphs.LOGITS, in, LogitsGraphs.BAN, mask, LogitsGraphs.ROW_SCORES, scores,
                     LogitsGraphs.GROUPED_SHAPE, shape, LogitsGraphs.K, kk))) {
            float[] top = new float[k];
            long[] idx = new long[k];
            ((OnnxTensor) r.get(LogitsGraphs.TOP_SCORES).orElseThrow()).getFloatBuffer().get(top);
            ((OnnxTensor) r.get(LogitsGraphs.TOP_INDICES).orElseThrow()).getLongBuffer().get(idx);
            // reference in double: every (row, token) of the input, log-probability + row score, best first
            Integer[] order = new Integer[ROWS * VOCAB];
            double[] total = new double[ROWS * VOCAB];
            for (int row = 0; row < ROWS; row++) {
                double norm = logNormaliser(x, row);
                for (int v = 0; v < VOCAB; v++) {
                    int i = row * VOCAB + v;
                    order[i] = i;
                    total[i] = v == banned[0] ? Double.NEGATIVE_INFINITY : x[i] - norm + rowScores[row];
                }
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare(total[b], total[a]));
            for (int c = 0; c < k; c++) {
                assertEquals(order[c], (int) idx[c], "candidate " + c);
                assertEquals(total[order[c]], top[c], 1e-4, "candidate " + c);
            }
            assertEquals(VOCAB + 5, idx[0], "row 1's huge entry first");
        }
    }
}
