package seq2seq.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class GatherGraphTest {

    @Test
    void picksRowsOfEveryTensorInNativeMemory() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(GatherGraph.build(2, 1), new OrtSession.SessionOptions());
             OnnxTensor a = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {0, 1, 10, 11, 20, 21}), new long[] {3, 2});
             OnnxTensor b = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {5, 6, 7}), new long[] {3, 1, 1});
             OnnxTensor rows = OnnxTensor.createTensor(env, new long[] {2, 0, 0});
             OrtSession.Result r = s.run(Map.of("x0", a, "x1", b, GatherGraph.ROWS, rows))) {
            float[] ya = new float[6];
            ((OnnxTensor) r.get("y0").orElseThrow()).getFloatBuffer().get(ya);
            assertArrayEquals(new float[] {20, 21, 0, 1, 0, 1}, ya);
            float[] yb = new float[3];
            ((OnnxTensor) r.get("y1").orElseThrow()).getFloatBuffer().get(yb);
            assertArrayEquals(new float[] {7, 5, 5}, yb);
        }
    }
}
