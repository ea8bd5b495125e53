package seq2seq.tools.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import seq2seq.model.MatMulGraph;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchPartsTest {

    /** The hand-written protobuf is a valid ONNX model that multiplies. */
    @Test
    @Timeout(60)
    void matMulModelComputesTheProduct() throws Exception {
        int m = 3;
        int k = 4;
        int n = 5;
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = i * 0.5f - 1;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = 2 - i * 0.25f;
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(MatMulGraph.build(m, k, n), new OrtSession.SessionOptions());
             OnnxTensor ta = OnnxTensor.createTensor(env, FloatBuffer.wrap(a), new long[] {m, k});
             OnnxTensor tb = OnnxTensor.createTensor(env, FloatBuffer.wrap(b), new long[] {k, n});
             OrtSession.Result r = s.run(Map.of("A", ta, "B", tb))) {
            float[][] c = (float[][]) r.get(0).getValue();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float expected = 0;
                    for (int x = 0; x < k; x++) {
                        expected += a[i * k + x] * b[x * n + j];
                    }
                    assertEquals(expected, c[i][j], 1e-5f);
                }
            }
        }
        assertTrue(GemmProbe.measure(64, 1, 0.01).gflops() > 0);
    }

    /** With repeats, the table gives each runtime's median and range, and the median of the repeats' own ratios. */
    @Test
    void repeatsGiveMediansRangesAndPairedRatios() {
        BenchReport r = new BenchReport();
        // 62 tokens in t seconds: 100, 300 and 150 tok/s for Java; 50, 100, 100 for transformers.js
        double[] java = {0.62, 62 / 300.0, 62 / 150.0};
        double[] node = {1.24, 0.62, 0.62};
        for (int i = 0; i < 3; i++) {
            r.rows.add(new Measurement("java", "m", "fp32", 1, 32, 32, 40, 62, java[i], -1));
            r.rows.add(new Measurement("java", "m", "fp32", 4, 32, 32, 40, 62, java[i] * 2, -1));
            r.rows.add(new Measurement("transformers.js", "m", "fp32", 1, 32, 32, 40, 62, node[i], -1));
        }
        String[] lines = r.table().split("\n");
        assertEquals(4, lines.length, r.table());
        // medians 150 and 100; ratios per repeat 2, 3, 1.5 -> 2 (the ratio of the medians would be 1.5)
        assertEquals("| m | fp32 | greedy | 32 | 150 (100–300) | 100 (50–100) | 2.00× | - | - |", lines[2]);
        assertEquals("| m | fp32 | beam 4 | 32 | 75 (50–150) | n/a | - | - | - |", lines[3]);
        assertEquals(2.5, BenchReport.median(List.of(4.0, 1.0, 3.0, 2.0)), 1e-12);
    }

    @Test
    void flopsFromTheTinyBundlesDimensions() {
        ModelCost c = ModelCost.of(Path.of("testdata/models/tiny"));
        assertEquals(new ModelCost(32, 2, 2, 64, 64, 1000), c);
        // decoder row-step: 2 layers x (6 x 32^2 + 2 x 32 x 64) + 32 x 1000 multiply-adds, 2 FLOPs each
        assertEquals(2.0 * (2 * (6 * 1024 + 4096) + 32000), c.decoderFlopsPerRowStep(), 0.0);
        // source token: 2 encoder layers x (4 x 32^2 + 2 x 32 x 64) + 2 decoder layers x 2 x 32^2
        assertEquals(2.0 * (2 * (4096 + 4096) + 2 * 2048), c.encoderFlopsPerSourceToken(), 0.0);
        assertEquals(4 * c.decoderFlopsPerRowStep() + 0.5 * c.encoderFlopsPerSourceToken(), c.flopsPerOutputToken(4, 0.5), 1e-6);
    }
}
