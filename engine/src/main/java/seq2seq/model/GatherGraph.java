package seq2seq.model;

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
        OnnxProto graph = new OnnxProto();
        for (int i = 0; i < n; i++) {
            OnnxProto node = new OnnxProto()
                    .string(1, input(i)).string(1, ROWS)
                    .string(2, output(i))
                    .string(3, "gather" + i)
                    .string(4, "Gather")
                    .message(5, new OnnxProto().string(1, "axis").varint(3, 0).varint(20, ATTRIBUTE_INT));
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
        return OnnxProto.model(graph);
    }

    /** A tensor value of the given element type; a vector with a symbolic length, or of unknown rank. */
    private static OnnxProto valueInfo(String name, int elemType, boolean vector) {
        OnnxProto tensor = new OnnxProto().varint(1, elemType);
        if (vector) {
            tensor.message(2, new OnnxProto().message(1, new OnnxProto().string(2, "k")));
        }
        return new OnnxProto().string(1, name).message(2, new OnnxProto().message(1, tensor));
    }
}
