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
}
