package seq2seq.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.Result;
import ai.onnxruntime.TensorInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static seq2seq.model.TensorNames.ATTENTION_MASK;
import static seq2seq.model.TensorNames.ENC_HIDDEN;
import static seq2seq.model.TensorNames.ENC_MASK;
import static seq2seq.model.TensorNames.INPUT_IDS;
import static seq2seq.model.TensorNames.LAST_HIDDEN;
import static seq2seq.model.TensorNames.LOGITS;
import static seq2seq.model.TensorNames.USE_CACHE;

/**
 * Runs a bundle's encoder and decoder steps with the KV cache as Optimum's graphs take it: the first step's empty
 * past (and the merged decoder's branch flag), each step's present tensors as the next step's past, the rows of the
 * cache gathered in native memory when beams change order or rows leave. Thread-safe; callers own every
 * {@link Result} and close it.
 */
public final class EncoderDecoder {
    private final ModelBundle bundle;
    private final OnnxSessions sessions;
    private final OrtSession encoder;
    private final OrtSession decoder;
    /** the pair's with-past decoder; null for the merged layout */
    private final OrtSession decoderWithPast;
    /** Optimum's tensor names for this model's layers */
    private final TensorNames names;
    /** element type of the cache and the encoder output (float, or float16 for _fp16 exports) */
    private final OnnxJavaType cacheType;
    /** the same as ONNX's TensorProto.DataType number */
    private final int cacheOnnxType;
    /** whether the encoder takes attention_mask (it may be pruned when the export saw no padding) */
    private final boolean encoderTakesMask;
    /**
     * whether the steps after the first read the encoder output: a separate with-past decoder reads only the
     * cross-attention cache made from it (Optimum's layout); a merged decoder takes it as an input on every step
     */
    private final boolean laterStepsReadEncoderOutput;
    /** use_cache_branch = false / true, shared read-only by all calls */
    private final OnnxTensor useCacheFalse;
    private final OnnxTensor useCacheTrue;

    EncoderDecoder(ModelBundle bundle, OnnxSessions sessions, TensorNames names, BundleGraphCheck check) throws OrtException {
        this.bundle = bundle;
        this.sessions = sessions;
        this.encoder = sessions.encoder;
        this.decoder = sessions.decoder;
        this.decoderWithPast = sessions.decoderWithPast;
        this.names = names;
        OrtSession pastSession = decoderWithPast != null ? decoderWithPast : decoder;
        encoderTakesMask = encoder.getInputNames().contains(ATTENTION_MASK);
        laterStepsReadEncoderOutput = pastSession.getInputNames().contains(ENC_HIDDEN);
        NodeInfo pastInfo = pastSession.getInputInfo().get(names.selfPast[0]);
        TensorInfo past = check.tensorInfo(pastInfo);
        cacheType = past.type;
        cacheOnnxType = switch (past.type) {
            case FLOAT -> 1;
            case FLOAT16 -> 10;
            case BFLOAT16 -> 16;
            case DOUBLE -> 11;
            default -> throw new BundleException(bundle.dir, bundle.dir.relativize(bundle.decoderFile).toString(),
                    "the KV cache has element type " + past.type + " (expected float, float16, bfloat16 or double)");
        };
        useCacheFalse = OnnxTensor.createTensor(sessions.env, new boolean[] {false});
        useCacheTrue = OnnxTensor.createTensor(sessions.env, new boolean[] {true});
    }

    /**
     * Runs the encoder on the sources, padded with {@code pad} to the longest; {@link #encoderOutput} reads the
     * result [sources, longest, d_model]. The caller closes it.
     */
    public Result encode(java.util.List<long[]> sources, int pad) throws OrtException {
        int n = sources.size();
        int len = sources.stream().mapToInt(s -> s.length).max().orElse(0);
        long[] ids = new long[n * len];
        long[] mask = new long[n * len];
        java.util.Arrays.fill(ids, pad);
        for (int i = 0; i < n; i++) {
            long[] s = sources.get(i);
            System.arraycopy(s, 0, ids, i * len, s.length);
            java.util.Arrays.fill(mask, i * len, i * len + s.length, 1L);
        }
        try (OnnxTensor inputIds = sessions.longTensor(ids, n, len); OnnxTensor attentionMask = sessions.longTensor(mask, n, len)) {
            Map<String, OnnxTensorLike> in = new HashMap<>();
            in.put(INPUT_IDS, inputIds);
            if (encoderTakesMask) {
                in.put(ATTENTION_MASK, attentionMask);
            }
            return encoder.run(in, Set.of(LAST_HIDDEN));
        }
    }

    /**
     * Runs the encoder on each group of rows at that group's own padded length and returns one caller-owned tensor
     * [sources, length, d_model] holding every row's hidden states (zeros past its group's length, which the decoder's
     * attention mask hides). {@code length} must be at least the longest source.
     */
    public OnnxTensor encodeGroups(java.util.List<long[]> sources, int pad, java.util.List<int[]> groups, int length)
            throws OrtException {
        int d = bundle.config.dModel();
        ByteBuffer all = null;
        OnnxJavaType type = null;
        int elem = 0;
        for (int[] g : groups) {
            try (Result r = encode(java.util.Arrays.stream(g).mapToObj(sources::get).toList(), pad)) {
                OnnxTensor h = encoderOutput(r);
                if (all == null) {
                    type = h.getInfo().type;
                    elem = switch (type) {
                        case FLOAT -> 4;
                        case FLOAT16, BFLOAT16 -> 2;
                        case DOUBLE -> 8;
                        default -> throw new BundleException(bundle.dir, bundle.dir.relativize(bundle.encoderFile).toString(), "output " + LAST_HIDDEN
                                + " has element type " + type + " (expected float, float16, bfloat16 or double)");
                    };
                    all = ByteBuffer.allocateDirect(sources.size() * length * d * elem).order(ByteOrder.nativeOrder());
                }
                ByteBuffer b = h.getByteBuffer(); // a copy, in native order
                int rowBytes = (int) h.getInfo().getShape()[1] * d * elem; // the group's padded length
                for (int j = 0; j < g.length; j++) {
                    all.put(g[j] * length * d * elem, b, j * rowBytes, rowBytes);
                }
            }
        }
        return OnnxTensor.createTensor(sessions.env, all, new long[] {sources.size(), length, d}, type);
    }

    public OnnxTensor encoderOutput(Result encoded) {
        return (OnnxTensor) encoded.get(LAST_HIDDEN).orElseThrow();
    }

    /** Whether the steps after the first read the encoder output (see the field). */
    public boolean laterStepsReadEncoderOutput() {
        return laterStepsReadEncoderOutput;
    }

    /**
     * One decoder step for all rows.
     *
     * @param inputIds      [rows, 1] the last token of each row
     * @param encoderMask   [rows, source length]
     * @param encoderHidden [rows, source length, d_model]
     * @param self          self-attention cache from the previous step (2 per layer), or null at the first step
     * @param cross         cross-attention cache from the first step (2 per layer), or null at the first step
     */
    public Result decode(OnnxTensor inputIds, OnnxTensor encoderMask, OnnxTensor encoderHidden,
                         OnnxTensor[] self, OnnxTensor[] cross) throws OrtException {
        boolean first = self == null;
        OrtSession s = first || decoderWithPast == null ? decoder : decoderWithPast;
        Map<String, OnnxTensorLike> in = new HashMap<>();
        Set<String> inputs = s.getInputNames();
        in.put(INPUT_IDS, inputIds);
        if (inputs.contains(ENC_MASK)) {
            in.put(ENC_MASK, encoderMask);
        }
        if (inputs.contains(ENC_HIDDEN)) {
            in.put(ENC_HIDDEN, encoderHidden);
        }
        OnnxTensor empty = null;
        try {
            if (first && decoderWithPast == null) {
                // merged decoder, first step: zero-length past and the no-cache branch
                empty = emptyCache(inputIds.getInfo().getShape()[0]);
                for (int i = 0; i < names.selfPast.length; i++) {
                    in.put(names.selfPast[i], empty);
                    in.put(names.crossPast[i], empty);
                }
                in.put(USE_CACHE, useCacheFalse);
            } else if (!first) {
                for (int i = 0; i < names.selfPast.length; i++) {
                    in.put(names.selfPast[i], self[i]);
                    in.put(names.crossPast[i], cross[i]);
                }
                if (inputs.contains(USE_CACHE)) {
                    in.put(USE_CACHE, useCacheTrue);
                }
            }
            Set<String> outs = new java.util.HashSet<>();
            outs.add(LOGITS);
            outs.addAll(java.util.List.of(names.selfPresent));
            if (first) {
                outs.addAll(java.util.List.of(names.crossPresent));
            }
            return s.run(in, outs);
        } finally {
            if (empty != null) {
                empty.close();
            }
        }
    }

    private OnnxTensor emptyCache(long rows) throws OrtException {
        ModelConfig c = bundle.config;
        return OnnxTensor.createTensor(sessions.env, ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder()),
                new long[] {rows, c.decoderHeads(), 0, c.headDim()}, cacheType);
    }

    /** logits [rows, 1, vocab] of a {@link #decode} result */
    public OnnxTensor logits(Result step) {
        return (OnnxTensor) step.get(LOGITS).orElseThrow();
    }

    /** present self-attention key/values (2 per layer) of a {@link #decode} result */
    public OnnxTensor[] selfCache(Result step) {
        return pick(step, names.selfPresent);
    }

    /** present cross-attention key/values of the first step's result (later steps' are placeholders or absent) */
    public OnnxTensor[] crossCache(Result firstStep) {
        return pick(firstStep, names.crossPresent);
    }

    private static OnnxTensor[] pick(Result r, String[] names) {
        OnnxTensor[] out = new OnnxTensor[names.length];
        for (int i = 0; i < names.length; i++) {
            out[i] = (OnnxTensor) r.get(names[i]).orElseThrow();
        }
        return out;
    }

    /**
     * Rows of each tensor picked by index (axis 0), in native memory: {@link #gathered}(result, i) is tensors[i][rows].
     * The tensors must all have the cache's element type. The caller closes the result.
     */
    public Result gatherRows(OnnxTensor[] tensors, long[] rows) throws OrtException {
        OrtSession g = sessions.smallGraph("gather_" + tensors.length, () -> GatherGraph.build(tensors.length, cacheOnnxType));
        Map<String, OnnxTensorLike> in = new HashMap<>();
        for (int i = 0; i < tensors.length; i++) {
            in.put(GatherGraph.input(i), tensors[i]);
        }
        try (OnnxTensor idx = sessions.longTensor(rows, rows.length)) {
            in.put(GatherGraph.ROWS, idx);
            return g.run(in);
        }
    }

    /** the i-th gathered tensor of a {@link #gatherRows} result */
    public static OnnxTensor gathered(Result r, int i) {
        return (OnnxTensor) r.get(GatherGraph.output(i)).orElseThrow();
    }

    void close() {
        useCacheFalse.close();
        useCacheTrue.close();
    }
}
