package seq2seq.model;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes, as ONNX protobuf bytes, a graph that picks rows (axis 0) of n same-typed tensors by one index vector:
 * inputs x0..x{n-1} and "rows" (int64 [k]), outputs y0..y{n-1} = Gather(xi, rows).
 * Run in ONNX Runtime it reorders the KV cache without the data leaving native memory.
 */
final class GatherGraph {
    static final String ROWS = "rows";
    private static final int ONNX_INT64 = 7;
    private static final int ATTRIBUTE_INT = 2;

    private GatherGraph() {
    }

    static String input(int i) {
        return "x" + i;
    }

    static String output(int i) {
        return "y" + i;
    }

    /** @param elemType the ONNX TensorProto.DataType of the xi (1 float, 10 float16, 7 int64, ...) */
    static byte[] build(int n, int elemType) {
        Proto graph = new Proto();
        for (int i = 0; i < n; i++) {
            Proto node = new Proto()
                    .string(1, input(i)).string(1, ROWS)
                    .string(2, output(i))
                    .string(3, "gather" + i)
                    .string(4, "Gather")
                    .message(5, new Proto().string(1, "axis").varint(3, 0).varint(20, ATTRIBUTE_INT));
            graph.message(1, node);
        }
        graph.string(2, "gather_rows");
        for (int i = 0; i < n; i++) {
            graph.message(11, valueInfo(input(i), elemType, false));
        }
        graph.message(11, valueInfo(ROWS, ONNX_INT64, true));
        for (int i = 0; i < n; i++) {
            graph.message(12, valueInfo(output(i), elemType, false));
        }
        Proto model = new Proto()
                .varint(1, 8) // IR version 8
                .string(2, "seq2seq-streams")
                .message(7, graph)
                .message(8, new Proto().string(1, "").varint(2, 13));
        return model.bytes();
    }

    /** A tensor value of the given element type; a vector with a symbolic length, or of unknown rank. */
    private static Proto valueInfo(String name, int elemType, boolean vector) {
        Proto tensor = new Proto().varint(1, elemType);
        if (vector) {
            tensor.message(2, new Proto().message(1, new Proto().string(2, "k")));
        }
        return new Proto().string(1, name).message(2, new Proto().message(1, tensor));
    }

    /** Just enough protobuf writing for the messages above. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long v) {
            raw((long) field << 3);
            raw(v);
            return this;
        }

        Proto string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto m) {
            return bytes(field, m.bytes());
        }

        private Proto bytes(int field, byte[] b) {
            raw(((long) field << 3) | 2);
            raw(b.length);
            out.writeBytes(b);
            return this;
        }

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
