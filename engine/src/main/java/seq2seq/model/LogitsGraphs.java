package seq2seq.model;

/**
 * Writes, as ONNX protobuf bytes, small float graphs over the last (vocabulary) axis of logits. The searches need a
 * log-normaliser of every row every step; ONNX Runtime's vectorised kernels compute it several times faster than a
 * scalar exp per entry in Java. The two pick graphs go further and return only each row's choice (greedy) or each
 * input's best candidates (beam), so that the [rows, vocab] scores never leave native memory.
 */
final class LogitsGraphs {
    static final String LOGITS = "logits";
    /** LogSoftmax(logits), shaped like the logits */
    static final String LOG_PROBS = "log_probs";
    /** log(sum(exp(logits))) per row: the logits' shape without its last axis */
    static final String LOG_NORMALISERS = "log_normalisers";
    /** float [vocab]: 0, or -inf for a banned token; added to every row */
    static final String BAN = "ban";
    /** int64: each row's best token (after the ban), the first one on ties */
    static final String TOKENS = "tokens";
    /** float: that token's log-probability among the row's allowed tokens */
    static final String TOKEN_LOG_PROBS = "token_log_probs";
    /** float, shaped [rows, 1] or [rows, 1, 1] like the logits' rank: the beam's score so far, added to its row */
    static final String ROW_SCORES = "row_scores";
    /** int64 [2]: [inputs, rows per input * vocab], each input's rows side by side */
    static final String GROUPED_SHAPE = "grouped_shape";
    /** int64 [1]: how many candidates per input */
    static final String K = "k";
    /** float [inputs, k]: best first; int64 [inputs, k]: row in the input * vocab + token, lower first on ties */
    static final String TOP_SCORES = "top_scores";
    static final String TOP_INDICES = "top_indices";
    private static final int ONNX_FLOAT = 1;
    private static final int ONNX_INT64 = 7;
    private static final int ATTRIBUTE_INT = 2;
    private static final int ATTRIBUTE_INTS = 7;

    private LogitsGraphs() {
    }

    /** log_probs = LogSoftmax(logits, axis = -1) */
    static byte[] logSoftmax() {
        return OnnxProto.model(new OnnxProto()
                .message(1, node("LogSoftmax", "log_softmax", new String[] {LOGITS}, LOG_PROBS)
                        .message(5, intAttribute("axis", -1)))
                .string(2, "log_softmax")
                .message(11, tensor(LOGITS, ONNX_FLOAT))
                .message(12, tensor(LOG_PROBS, ONNX_FLOAT)));
    }

    /**
     * log_normalisers = ReduceMax(logits) - ReduceMax(LogSoftmax(logits)) over the last axis: at the row's largest
     * entry the log-softmax is -log(sum(exp(x - max))), so this is max + log(sum(exp(x - max))), the log-sum-exp.
     * (ONNX Runtime's ReduceLogSumExp took 12 times as long as its vectorised LogSoftmax on [32, 32 000].)
     */
    static byte[] logSumExp() {
        OnnxProto g = new OnnxProto()
                .message(1, node("ReduceMax", "max", new String[] {LOGITS}, "max")
                        .message(5, lastAxis())
                        .message(5, intAttribute("keepdims", 0)))
                .message(1, node("LogSoftmax", "log_softmax", new String[] {LOGITS}, "log_probs")
                        .message(5, intAttribute("axis", -1)))
                .message(1, node("ReduceMax", "max_log_prob", new String[] {"log_probs"}, "max_log_probs")
                        .message(5, lastAxis())
                        .message(5, intAttribute("keepdims", 0)))
                .message(1, node("Sub", "log_sum_exp", new String[] {"max", "max_log_probs"}, LOG_NORMALISERS))
                .string(2, "log_sum_exp")
                .message(11, tensor(LOGITS, ONNX_FLOAT))
                .message(12, tensor(LOG_NORMALISERS, ONNX_FLOAT));
        return OnnxProto.model(g);
    }

    /**
     * Greedy search's pick: masked = logits + ban; tokens = each row's first largest entry of masked (see
     * {@link #firstLargest}); with {@code withLogProbs} also token_log_probs = ReduceMax(LogSoftmax(masked)), all over
     * the last axis (LogSoftmax rather than ReduceLogSumExp: see {@link #logSumExp}). Without, the graph skips the
     * LogSoftmax, a pass over the logits.
     */
    static byte[] greedyPick(int vocab, boolean withLogProbs) {
        OnnxProto g = new OnnxProto()
                .message(1, node("Add", "mask", new String[] {LOGITS, BAN}, "masked"));
        firstLargest(g, "masked", vocab);
        if (withLogProbs) {
            g.message(1, node("LogSoftmax", "log_softmax", new String[] {"masked"}, "log_probs")
                            .message(5, intAttribute("axis", -1)))
                    .message(1, node("ReduceMax", "max", new String[] {"log_probs"}, TOKEN_LOG_PROBS)
                            .message(5, lastAxis())
                            .message(5, intAttribute("keepdims", 0)));
        }
        g.string(2, withLogProbs ? "greedy_pick" : "greedy_tokens")
                .message(11, tensor(LOGITS, ONNX_FLOAT))
                .message(11, tensor(BAN, ONNX_FLOAT))
                .message(12, tensor(TOKENS, ONNX_INT64));
        if (withLogProbs) {
            g.message(12, tensor(TOKEN_LOG_PROBS, ONNX_FLOAT));
        }
        return OnnxProto.model(g);
    }

    /**
     * Adds to {@code g} the nodes that compute {@link #TOKENS}: each row's first largest entry of {@code scores}
     * (float [rows, vocab] or [rows, 1, vocab]), as ArgMax would. ONNX Runtime's ArgMax reads one entry at a time
     * and its ReduceMax is vectorised (bench/profile-base.md), so the vocabulary is cut into chunks of
     * {@link #argMaxChunk} tokens: the first chunk that holds the row's largest entry (ReduceMax of each chunk,
     * ArgMax of those), then the first largest entry inside it. With no chunk size that divides the vocabulary, a
     * plain ArgMax.
     */
    private static void firstLargest(OnnxProto g, String scores, int vocab) {
        int chunk = argMaxChunk(vocab);
        if (chunk == 0) {
            g.message(1, node("ArgMax", "argmax", new String[] {scores}, TOKENS)
                    .message(5, intAttribute("axis", -1))
                    .message(5, intAttribute("keepdims", 0))
                    .message(5, intAttribute("select_last_index", 0)));
            return;
        }
        g.message(1, node("Reshape", "chunk", new String[] {scores, "chunked_shape"}, "chunks"))
                .message(1, node("ReduceMax", "chunk_max", new String[] {"chunks"}, "chunk_maxes")
                        .message(5, lastAxis())
                        .message(5, intAttribute("keepdims", 0)))
                .message(1, node("ArgMax", "best_chunk", new String[] {"chunk_maxes"}, "best_chunks")
                        .message(5, intAttribute("axis", -1))
                        .message(5, intAttribute("keepdims", 1))
                        .message(5, intAttribute("select_last_index", 0)))
                .message(1, node("GatherND", "take_chunk", new String[] {"chunks", "best_chunks"}, "best_chunk_scores")
                        .message(5, intAttribute("batch_dims", 1)))
                .message(1, node("ArgMax", "in_chunk", new String[] {"best_chunk_scores"}, "offsets")
                        .message(5, intAttribute("axis", -1))
                        .message(5, intAttribute("keepdims", 1))
                        .message(5, intAttribute("select_last_index", 0)))
                .message(1, node("Mul", "chunk_start", new String[] {"best_chunks", "chunk_size"}, "starts"))
                .message(1, node("Add", "token", new String[] {"starts", "offsets"}, TOKENS))
                .message(5, int64Initializer("chunked_shape", -1, vocab / chunk, chunk))
                .message(5, int64Initializer("chunk_size", chunk));
    }

    /**
     * A chunk size for {@link #firstLargest}: a divisor of the vocabulary in [32, 1 024], 128 or the next one up
     * first, else the largest below; 0 when there is none.
     */
    static int argMaxChunk(int vocab) {
        for (int d = 128; d <= 1024; d++) {
            if (vocab % d == 0 && d < vocab) {
                return d;
            }
        }
        for (int d = 127; d >= 32; d--) {
            if (vocab % d == 0 && d < vocab) {
                return d;
            }
        }
        return 0;
    }

    /**
     * Beam search's candidates: LogSoftmax(logits) + ban + row_scores, each input's rows reshaped into one
     * row, then TopK(k) of it, largest first (the lower index first on ties, as ONNX's TopK specifies).
     */
    static byte[] beamTop() {
        OnnxProto g = new OnnxProto()
                .message(1, node("LogSoftmax", "log_softmax", new String[] {LOGITS}, "log_probs")
                        .message(5, intAttribute("axis", -1)))
                .message(1, node("Add", "mask", new String[] {"log_probs", BAN}, "allowed"))
                .message(1, node("Add", "extend", new String[] {"allowed", ROW_SCORES}, "extended"))
                .message(1, node("Reshape", "group", new String[] {"extended", GROUPED_SHAPE}, "grouped"))
                .message(1, node("TopK", "top", new String[] {"grouped", K}, TOP_SCORES, TOP_INDICES)
                        .message(5, intAttribute("axis", -1))
                        .message(5, intAttribute("largest", 1))
                        .message(5, intAttribute("sorted", 1)))
                .string(2, "beam_top")
                .message(11, tensor(LOGITS, ONNX_FLOAT))
                .message(11, tensor(BAN, ONNX_FLOAT))
                .message(11, tensor(ROW_SCORES, ONNX_FLOAT))
                .message(11, tensor(GROUPED_SHAPE, ONNX_INT64))
                .message(11, tensor(K, ONNX_INT64))
                .message(12, tensor(TOP_SCORES, ONNX_FLOAT))
                .message(12, tensor(TOP_INDICES, ONNX_INT64));
        return OnnxProto.model(g);
    }

    private static OnnxProto node(String op, String name, String[] inputs, String... outputs) {
        OnnxProto n = new OnnxProto();
        for (String in : inputs) {
            n.string(1, in);
        }
        for (String out : outputs) {
            n.string(2, out);
        }
        return n.string(3, name).string(4, op);
    }

    private static OnnxProto intAttribute(String name, long value) {
        return new OnnxProto().string(1, name).varint(3, value).varint(20, ATTRIBUTE_INT);
    }

    private static OnnxProto lastAxis() {
        return new OnnxProto().string(1, "axes").varint(8, -1).varint(20, ATTRIBUTE_INTS);
    }

    /** a constant int64 tensor of shape [values.length] */
    private static OnnxProto int64Initializer(String name, long... values) {
        OnnxProto t = new OnnxProto().varint(1, values.length).varint(2, ONNX_INT64);
        for (long v : values) {
            t.varint(7, v);
        }
        return t.string(8, name);
    }

    /** a tensor of unknown rank */
    private static OnnxProto tensor(String name, int elemType) {
        return new OnnxProto().string(1, name)
                .message(2, new OnnxProto().message(1, new OnnxProto().varint(1, elemType)));
    }
}
