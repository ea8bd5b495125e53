package seq2seq.model;

/** Writes, as ONNX protobuf bytes, a one-node graph C[m,n] = MatMul(A[m,k], B[k,n]) (the benchmark's GEMM probe). */
public final class MatMulGraph {
    /** ONNX TensorProto.DataType FLOAT */
    private static final int FLOAT = 1;

    private MatMulGraph() {
    }

    public static byte[] build(int m, int k, int n) {
        OnnxProto node = new OnnxProto().string(1, "A").string(1, "B").string(2, "C").string(3, "matmul").string(4, "MatMul");
        OnnxProto graph = new OnnxProto().message(1, node).string(2, "gemm_probe")
                .message(11, matrix("A", m, k)).message(11, matrix("B", k, n)).message(12, matrix("C", m, n));
        return OnnxProto.model(graph);
    }

    /** ValueInfoProto of a 2-D float tensor. */
    private static OnnxProto matrix(String name, int rows, int cols) {
        OnnxProto shape = new OnnxProto().message(1, new OnnxProto().varint(1, rows)).message(1, new OnnxProto().varint(1, cols));
        OnnxProto tensor = new OnnxProto().varint(1, FLOAT).message(2, shape);
        return new OnnxProto().string(1, name).message(2, new OnnxProto().message(1, tensor));
    }
}
