package seq2seq.tools.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import seq2seq.model.MatMulGraph;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;

/** The machine's fp32 matrix-product rate through ONNX Runtime: one square MatMul, timed. */
public final class GemmProbe {
    private GemmProbe() {
    }

    /**
     * @param size     matrix side
     * @param threads  ONNX Runtime intra-op threads
     * @param gflops   best rate over the runs, 10^9 floating-point operations per second (2 per multiply-add)
     */
    public record Result(int size, int threads, double gflops) {
    }

    /** Runs size x size x size products for about minSeconds after one warm-up; the best run counts. */
    public static Result measure(int size, int threads, double minSeconds) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] data = new float[size * size];
        Random r = new Random(1);
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextFloat() - 0.5f;
        }
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            try (OrtSession s = env.createSession(MatMulGraph.build(size, size, size), o);
                 OnnxTensor a = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {size, size});
                 OnnxTensor b = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {size, size})) {
                Map<String, OnnxTensor> in = Map.of("A", a, "B", b);
                s.run(in).close();
                double best = Double.MAX_VALUE;
                long start = System.nanoTime();
                int runs = 0;
                while (runs < 3 || (System.nanoTime() - start) / 1e9 < minSeconds) {
                    long t0 = System.nanoTime();
                    s.run(in).close();
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                    runs++;
                }
                return new Result(size, threads, 2.0 * size * size * size / best / 1e9);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("GEMM probe: ONNX Runtime failed: " + e.getMessage(), e);
        }
    }
}
