package seq2seq.model;

/**
 * Writes, as ONNX protobuf bytes, one-node float graphs over the last (vocabulary) axis of logits. The searches need a
 * log-normaliser of every row every step; ONNX Runtime's vectorised kernels compute it several times faster than a
 * scalar exp per entry in Java.
 */
final class LogitsGraphs {
    static final String LOGITS = "logits";
    /** LogSoftmax(logits), shaped like the logits */
    static final String LOG_PROBS = "log_probs";
    /** log(sum(exp(logits))) per row: the logits' shape without its last axis */
    static final String LOG_NORMALISERS = "log_normalisers";
    private static final int ONNX_FLOAT = 1;
    private static final int ATTRIBUTE_INT = 2;
    private static final int ATTRIBUTE_INTS = 7;

    private LogitsGraphs() {
    }

    /** log_probs = LogSoftmax(logits, axis = -1) */
    static byte[] logSoftmax() {
        return graph(new OnnxProto()
                .string(1, LOGITS)
                .string(2, LOG_PROBS)
                .string(3, "log_softmax")
                .string(4, "LogSoftmax")
                .message(5, new OnnxProto().string(1, "axis").varint(3, -1).varint(20, ATTRIBUTE_INT)), LOG_PROBS);
    }

    /** log_normalisers = ReduceLogSumExp(logits, axes = [-1], keepdims = 0) */
    static byte[] logSumExp() {
        return graph(new OnnxProto()
                .string(1, LOGITS)
                .string(2, LOG_NORMALISERS)
                .string(3, "log_sum_exp")
                .string(4, "ReduceLogSumExp")
                .message(5, new OnnxProto().string(1, "axes").varint(8, -1).varint(20, ATTRIBUTE_INTS))
                .message(5, new OnnxProto().string(1, "keepdims").varint(3, 0).varint(20, ATTRIBUTE_INT)), LOG_NORMALISERS);
    }

    private static byte[] graph(OnnxProto node, String output) {
        return OnnxProto.model(new OnnxProto()
                .message(1, node)
                .string(2, output)
                .message(11, floatTensor(LOGITS))
                .message(12, floatTensor(output)));
    }

    /** a float tensor of unknown rank */
    private static OnnxProto floatTensor(String name) {
        return new OnnxProto().string(1, name)
                .message(2, new OnnxProto().message(1, new OnnxProto().varint(1, ONNX_FLOAT)));
    }
}
