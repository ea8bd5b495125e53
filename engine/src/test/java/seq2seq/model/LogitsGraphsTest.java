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

    /** a copy of the rows [rows * vocab] with the banned tokens at -inf in every row */
    private static float[] banned(float[] x, int vocab, int[] banned) {
        float[] allowed = x.clone();
        for (int off = 0; off < x.length; off += vocab) {
            for (int t : banned) {
                allowed[off + t] = Float.NEGATIVE_INFINITY;
            }
        }
        return allowed;
    }

    /** the row's first largest entry, by a plain scan */
    private static int firstBest(float[] x, int row, int vocab) {
        int best = 0;
        for (int v = 1; v < vocab; v++) {
            if (x[row * vocab + v] > x[row * vocab + best]) {
                best = v;
            }
        }
        return best;
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
        try (OrtSession s = env.createSession(LogitsGraphs.greedyPick(VOCAB, true), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {ROWS, 1, VOCAB});
             OnnxTensor mask = OnnxTensor.createTensor(env, FloatBuffer.wrap(ban), new long[] {VOCAB});
             OrtSession.Result r = s.run(Map.of(LogitsGraphs.LOGITS, in, LogitsGraphs.BAN, mask))) {
            long[] tokens = new long[ROWS];
            float[] logProbs = new float[ROWS];
            ((OnnxTensor) r.get(LogitsGraphs.TOKENS).orElseThrow()).getLongBuffer().get(tokens);
            ((OnnxTensor) r.get(LogitsGraphs.TOKEN_LOG_PROBS).orElseThrow()).getFloatBuffer().get(logProbs);
            float[] allowed = banned(x, VOCAB, banned);
            for (int row = 0; row < ROWS; row++) {
                int best = firstBest(allowed, row, VOCAB);
                assertEquals(best, tokens[row], "row " + row); // row 1's huge entry is banned: its next best wins
                double want = allowed[row * VOCAB + best] - logNormaliser(allowed, row);
                assertEquals(want, logProbs[row], 1e-4, "row " + row);
            }
        }
    }

    @Test
    void argMaxChunkDividesTheVocabularyOrIsZero() {
        assertEquals(128, LogitsGraphs.argMaxChunk(32000));
        assertEquals(160, LogitsGraphs.argMaxChunk(8000));
        assertEquals(181, LogitsGraphs.argMaxChunk(58101)); // opus-mt en-de: 3 * 107 * 181
        assertEquals(0, LogitsGraphs.argMaxChunk(997)); // a prime
        assertEquals(50, LogitsGraphs.argMaxChunk(100)); // below 128: the largest divisor from 127 down
    }

    /**
     * greedyPick without log-probabilities equals a plain first-largest scan after the bans, for vocabularies cut into chunks and not, with the
     * row's largest entry banned, tied inside one chunk, tied across chunks, and at either end of the row.
     */
    @Test
    void greedyPickWithoutLogProbsTakesEachRowsFirstBestAllowedToken() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (int vocab : new int[] {32000, 1000, 997}) {
            int rows = 7;
            float[] x = new float[rows * vocab];
            Random rnd = new Random(vocab);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextGaussian() * 4);
            }
            int[] banned = {vocab - 3, 11};
            x[vocab + 11] = 50; // row 1: its largest entry is banned
            x[2 * vocab + 40] = 50; // row 2: a tie inside one chunk, the first wins
            x[2 * vocab + 41] = 50;
            x[3 * vocab + 600] = 50; // row 3: a tie across chunks
            x[3 * vocab + 300] = 50;
            x[4 * vocab] = 50; // row 4: the first token
            x[6 * vocab - 1] = 50; // row 5: the last token
            java.util.Arrays.fill(x, 6 * vocab, 7 * vocab, -2f); // row 6: all equal
            float[] ban = new float[vocab];
            for (int t : banned) {
                ban[t] = Float.NEGATIVE_INFINITY;
            }
            for (long[] shape : new long[][] {{rows, 1, vocab}, {rows, vocab}}) {
                try (OrtSession s = env.createSession(LogitsGraphs.greedyPick(vocab, false), new OrtSession.SessionOptions());
                     OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                     OnnxTensor mask = OnnxTensor.createTensor(env, FloatBuffer.wrap(ban), new long[] {vocab});
                     OrtSession.Result r = s.run(Map.of(LogitsGraphs.LOGITS, in, LogitsGraphs.BAN, mask))) {
                    OnnxTensor out = (OnnxTensor) r.get(LogitsGraphs.TOKENS).orElseThrow();
                    assertEquals(rows, out.getInfo().getShape()[0] * (out.getInfo().getShape().length > 1 ? out.getInfo().getShape()[1] : 1));
                    long[] tokens = new long[rows];
                    out.getLongBuffer().get(tokens);
                    float[] allowed = banned(x, vocab, banned);
                    for (int row = 0; row < rows; row++) {
                        assertEquals(firstBest(allowed, row, vocab), tokens[row], "vocab " + vocab + ", shape " + java.util.Arrays.toString(shape) + ", row " + row);
                    }
                    assertEquals(40, tokens[2]);
                    assertEquals(300, tokens[3]);
                    assertEquals(0, tokens[4]);
                    assertEquals(vocab - 1, tokens[5]);
                    assertEquals(0, tokens[6]);
                }
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
