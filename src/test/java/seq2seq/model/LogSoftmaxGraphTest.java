package seq2seq.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LogSoftmaxGraphTest {

    /** Each row of [rows, 1, vocab] against log_softmax in double precision, with very large and -inf logits. */
    @Test
    void normalisesEachRowOverTheLastAxis() throws Exception {
        int rows = 3;
        int vocab = 1000;
        float[] x = new float[rows * vocab];
        Random rnd = new Random(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 8);
        }
        x[vocab + 5] = 1e4f; // a row dominated by one entry
        x[2 * vocab + 9] = Float.NEGATIVE_INFINITY; // a banned entry stays banned
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(LogSoftmaxGraph.build(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {rows, 1, vocab});
             OrtSession.Result r = s.run(Map.of(LogSoftmaxGraph.INPUT, in))) {
            OnnxTensor out = (OnnxTensor) r.get(LogSoftmaxGraph.OUTPUT).orElseThrow();
            assertEquals(3, out.getInfo().getShape().length);
            float[] y = new float[x.length];
            out.getFloatBuffer().get(y);
            for (int row = 0; row < rows; row++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vocab; v++) {
                    max = Math.max(max, x[row * vocab + v]);
                }
                double sum = 0;
                for (int v = 0; v < vocab; v++) {
                    sum += Math.exp(x[row * vocab + v] - max);
                }
                double norm = max + Math.log(sum);
                for (int v = 0; v < vocab; v++) {
                    int i = row * vocab + v;
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
}
