package seq2seq.model;

/**
 * Writes, as ONNX protobuf bytes, a one-node graph: log_probs = LogSoftmax(logits) over the last axis, float.
 * Beam search needs log-probabilities of the whole vocabulary every step; ONNX Runtime's vectorised kernel on the
 * intra-op threads computes them several times faster than a scalar exp per entry in Java.
 */
final class LogSoftmaxGraph {
    static final String INPUT = "logits";
    static final String OUTPUT = "log_probs";
    private static final int ONNX_FLOAT = 1;
    private static final int ATTRIBUTE_INT = 2;

    private LogSoftmaxGraph() {
    }

    static byte[] build() {
        OnnxProto node = new OnnxProto()
                .string(1, INPUT)
                .string(2, OUTPUT)
                .string(3, "log_softmax")
                .string(4, "LogSoftmax")
                .message(5, new OnnxProto().string(1, "axis").varint(3, -1).varint(20, ATTRIBUTE_INT));
        return OnnxProto.model(new OnnxProto()
                .message(1, node)
                .string(2, "log_softmax")
                .message(11, floatTensor(INPUT))
                .message(12, floatTensor(OUTPUT)));
    }

    /** a float tensor of unknown rank */
    private static OnnxProto floatTensor(String name) {
        return new OnnxProto().string(1, name)
                .message(2, new OnnxProto().message(1, new OnnxProto().varint(1, ONNX_FLOAT)));
    }
}
