package seq2seq.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.Result;
import ai.onnxruntime.TensorInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ONNX Runtime sessions of a bundle (encoder, decoder(s), and a small row-gather graph for the cache), checked
 * against config.json when loaded. Sessions are shared by all threads; every call here is thread-safe.
 * Callers own the returned {@link Result}s and must close them.
 */
public final class OnnxModel implements AutoCloseable {
    private static final String INPUT_IDS = "input_ids";
    private static final String ATTENTION_MASK = "attention_mask";
    private static final String LAST_HIDDEN = "last_hidden_state";
    private static final String ENC_HIDDEN = "encoder_hidden_states";
    private static final String ENC_MASK = "encoder_attention_mask";
    private static final String USE_CACHE = "use_cache_branch";
    private static final String LOGITS = "logits";

    /** the checked folder */
    public final ModelBundle bundle;
    /** the process-wide ONNX Runtime environment */
    private final OrtEnvironment env;
    /** intra-op threads of every session */
    private final int intraOpThreads;
    /** where each session writes ONNX Runtime's per-operator profile when it closes; null: no profiling */
    private final Path profileDir;
    private final OrtSession encoder;
    /** merged decoder, or the first-step decoder of the pair */
    private final OrtSession decoder;
    /** the pair's with-past decoder; null for the merged layout */
    private final OrtSession decoderWithPast;
    /** weight tables the files share, one copy for all sessions; closed after them */
    private final SharedTables sharedTables;
    /** per layer: past self-attention key, value (2 per layer, layer-major) */
    private final String[] selfPast;
    private final String[] selfPresent;
    /** per layer: past cross-attention key, value */
    private final String[] crossPast;
    private final String[] crossPresent;
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
    /** gather graphs by tensor count */
    private final Map<Integer, OrtSession> gathers = new ConcurrentHashMap<>();
    /** the LogitsGraphs sessions by name, made on first use */
    private final Map<String, OrtSession> logitsGraphs = new ConcurrentHashMap<>();

    private OnnxModel(ModelBundle bundle, OrtEnvironment env, int intraOpThreads, Path profileDir,
                      SharedTables sharedTables, OrtSession encoder, OrtSession decoder, OrtSession decoderWithPast) throws OrtException {
        this.bundle = bundle;
        this.sharedTables = sharedTables;
        this.env = env;
        this.intraOpThreads = intraOpThreads;
        this.profileDir = profileDir;
        this.encoder = encoder;
        this.decoder = decoder;
        this.decoderWithPast = decoderWithPast;
        int layers = bundle.config.decoderLayers();
        selfPast = new String[2 * layers];
        selfPresent = new String[2 * layers];
        crossPast = new String[2 * layers];
        crossPresent = new String[2 * layers];
        for (int l = 0; l < layers; l++) {
            for (int kv = 0; kv < 2; kv++) {
                String part = kv == 0 ? "key" : "value";
                selfPast[2 * l + kv] = "past_key_values." + l + ".decoder." + part;
                selfPresent[2 * l + kv] = "present." + l + ".decoder." + part;
                crossPast[2 * l + kv] = "past_key_values." + l + ".encoder." + part;
                crossPresent[2 * l + kv] = "present." + l + ".encoder." + part;
            }
        }
        encoderTakesMask = encoder.getInputNames().contains(ATTENTION_MASK);
        laterStepsReadEncoderOutput = pastSession().getInputNames().contains(ENC_HIDDEN);
        validate();
        TensorInfo past = tensorInfo(pastSession().getInputInfo().get(selfPast[0]));
        cacheType = past.type;
        cacheOnnxType = switch (past.type) {
            case FLOAT -> 1;
            case FLOAT16 -> 10;
            case BFLOAT16 -> 16;
            case DOUBLE -> 11;
            default -> throw new BundleException(bundle.dir, rel(bundle.decoderFile), "the KV cache has element type " + past.type
                    + " (expected float, float16, bfloat16 or double)");
        };
        useCacheFalse = OnnxTensor.createTensor(env, new boolean[] {false});
        useCacheTrue = OnnxTensor.createTensor(env, new boolean[] {true});
    }

    /** Opens the bundle's ONNX files; a graph that does not match config.json is a {@link BundleException}. */
    public static OnnxModel load(ModelBundle bundle, int intraOpThreads) {
        return load(bundle, intraOpThreads, null);
    }

    /**
     * As {@link #load(ModelBundle, int)}; with a profileDir, every session (the model's files and the small graphs
     * made here) writes ONNX Runtime's per-operator profile there, NAME_DATE.json, when this model closes.
     */
    public static OnnxModel load(ModelBundle bundle, int intraOpThreads, Path profileDir) {
        if (profileDir != null) {
            try {
                java.nio.file.Files.createDirectories(profileDir);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot create the profile folder " + profileDir + ": " + e.getMessage(), e);
            }
        }
        OrtEnvironment env = environment();
        List<Path> files = new ArrayList<>(List.of(bundle.encoderFile, bundle.decoderFile));
        if (bundle.decoderWithPastFile != null) {
            files.add(bundle.decoderWithPastFile);
        }
        SharedTables shared = SharedTables.find(env, files);
        OrtSession enc = null;
        OrtSession dec = null;
        OrtSession past = null;
        try {
            enc = session(env, bundle, bundle.encoderFile, intraOpThreads, profileDir, shared);
            dec = session(env, bundle, bundle.decoderFile, intraOpThreads, profileDir, shared);
            if (bundle.decoderWithPastFile != null) {
                past = session(env, bundle, bundle.decoderWithPastFile, intraOpThreads, profileDir, shared);
            }
            return new OnnxModel(bundle, env, intraOpThreads, profileDir, shared, enc, dec, past);
        } catch (OrtException | RuntimeException e) {
            closeQuietly(enc);
            closeQuietly(dec);
            closeQuietly(past);
            shared.close();
            if (e instanceof BundleException be) {
                throw be;
            }
            throw new BundleException(bundle.dir, "onnx/", "cannot load: " + e.getMessage(), e);
        }
    }

    /**
     * The process-wide environment. Its first creation runs native code whose stack use grows with the length of the
     * JVM's command line (a 4 KB classpath overflows the default 1 MB thread stack: a segfault, no Java error), so the
     * first call must come from a thread with a large stack: {@code Engine.load} runs on a worker of its pool.
     */
    static synchronized OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "seq2seq");
    }

    private static OrtSession session(OrtEnvironment env, ModelBundle bundle, Path file, int threads, Path profileDir,
                                      SharedTables shared) {
        String name = file.getFileName().toString().replaceFirst("\\.onnx$", "");
        try (OrtSession.SessionOptions o = options(threads, profileDir, name)) {
            shared.addTo(o, file);
            return env.createSession(file.toString(), o);
        } catch (OrtException e) {
            throw new BundleException(bundle.dir, bundle.dir.relativize(file).toString(), "ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
    }

    /** profileDir null: no profile; else the session's profile goes to profileDir/name_DATE.json */
    private static OrtSession.SessionOptions options(int threads, Path profileDir, String name) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        // Idle pool threads would spin for a while after each operator, taking the core that the search's own
        // arithmetic (and the next batch) needs: off, beam 4 at batch 32 on the base model went from 185 to 251 tok/s
        // with 2 threads on 2 cores (bench, quiet machine).
        o.addConfigEntry("session.intra_op.allow_spinning", "0");
        // Memory patterns are planned per input shape; a decoder's shapes change every step (rows, cache length), so
        // the plans only pile up: off, the base model's RSS fell by 50-120 MiB at the same speed (bench, quiet machine).
        o.setMemoryPatternOptimization(false);
        if (profileDir != null) {
            o.enableProfiling(profileDir.resolve(name).toString());
        }
        return o;
    }

    private static void closeQuietly(OrtSession s) {
        if (s != null) {
            try {
                s.close();
            } catch (OrtException ignored) {
                // closing after a failed load; the load error is what matters
            }
        }
    }

    // ---- checks against config.json ----

    private OrtSession pastSession() {
        return decoderWithPast != null ? decoderWithPast : decoder;
    }

    private void validate() throws OrtException {
        ModelConfig c = bundle.config;
        String encFile = rel(bundle.encoderFile);
        requireInputs(encoder, encFile, Set.of(INPUT_IDS, ATTENTION_MASK));
        requireName(encoder.getInputNames(), encFile, "input", INPUT_IDS);
        requireName(encoder.getOutputNames(), encFile, "output", LAST_HIDDEN);
        checkDim(encoder.getOutputInfo().get(LAST_HIDDEN), encFile, "output " + LAST_HIDDEN, 2, c.dModel(), "d_model");

        String decFile = rel(bundle.decoderFile);
        if (decoderWithPast == null) {
            Set<String> known = new java.util.HashSet<>(Set.of(INPUT_IDS, ENC_HIDDEN, ENC_MASK, USE_CACHE));
            known.addAll(java.util.List.of(selfPast));
            known.addAll(java.util.List.of(crossPast));
            requireInputs(decoder, decFile, known);
            requireName(decoder.getInputNames(), decFile, "input", USE_CACHE);
            checkCacheInputs(decoder, decFile, true);
            checkOutputs(decoder, decFile, true);
        } else {
            requireInputs(decoder, decFile, Set.of(INPUT_IDS, ENC_HIDDEN, ENC_MASK));
            checkOutputs(decoder, decFile, true);
            String pastFile = rel(bundle.decoderWithPastFile);
            Set<String> known = new java.util.HashSet<>(Set.of(INPUT_IDS, ENC_HIDDEN, ENC_MASK));
            known.addAll(java.util.List.of(selfPast));
            known.addAll(java.util.List.of(crossPast));
            requireInputs(decoderWithPast, pastFile, known);
            checkCacheInputs(decoderWithPast, pastFile, true);
            checkOutputs(decoderWithPast, pastFile, false);
        }
        requireName(decoder.getInputNames(), decFile, "input", INPUT_IDS);
        requireName(decoder.getInputNames(), decFile, "input", ENC_HIDDEN);
    }

    private void checkCacheInputs(OrtSession s, String file, boolean withCross) throws OrtException {
        ModelConfig c = bundle.config;
        long layersFound = s.getInputNames().stream().filter(n -> n.startsWith("past_key_values.") && n.endsWith(".decoder.key")).count();
        if (layersFound != c.decoderLayers()) {
            throw new BundleException(bundle.dir, file, "has past_key_values inputs for " + layersFound
                    + " decoder layers, but config.json field \"decoder_layers\" is " + c.decoderLayers());
        }
        Map<String, NodeInfo> info = s.getInputInfo();
        for (String[] names : withCross ? new String[][] {selfPast, crossPast} : new String[][] {selfPast}) {
            for (String n : names) {
                requireName(info.keySet(), file, "input", n);
                checkDim(info.get(n), file, "input " + n, 1, c.decoderHeads(), "decoder_attention_heads");
                checkDim(info.get(n), file, "input " + n, 3, c.headDim(), "d_model / decoder_attention_heads (or d_kv)");
            }
        }
    }

    private void checkOutputs(OrtSession s, String file, boolean withCross) throws OrtException {
        ModelConfig c = bundle.config;
        requireName(s.getOutputNames(), file, "output", LOGITS);
        checkDim(s.getOutputInfo().get(LOGITS), file, "output " + LOGITS, 2, c.vocabSize(), "vocab_size");
        long layersFound = s.getOutputNames().stream().filter(n -> n.startsWith("present.") && n.endsWith(".decoder.key")).count();
        if (layersFound != c.decoderLayers()) {
            throw new BundleException(bundle.dir, file, "has present outputs for " + layersFound
                    + " decoder layers, but config.json field \"decoder_layers\" is " + c.decoderLayers());
        }
        for (String n : selfPresent) {
            requireName(s.getOutputNames(), file, "output", n);
        }
        if (withCross) {
            for (String n : crossPresent) {
                requireName(s.getOutputNames(), file, "output", n);
            }
        }
    }

    /** Every input the graph declares must be one we know how to feed. */
    private void requireInputs(OrtSession s, String file, Set<String> known) {
        for (String n : s.getInputNames()) {
            if (!known.contains(n)) {
                throw new BundleException(bundle.dir, file, "unexpected input \"" + n + "\" (this engine feeds " + new java.util.TreeSet<>(known) + ")");
            }
        }
    }

    private void requireName(Set<String> names, String file, String kind, String name) {
        if (!names.contains(name)) {
            throw new BundleException(bundle.dir, file, "has no " + kind + " \"" + name + "\" (it has " + new java.util.TreeSet<>(names) + ")");
        }
    }

    /** A fixed dimension must equal the config value; a symbolic one (-1) is not checked. */
    private void checkDim(NodeInfo node, String file, String what, int axis, int expected, String field) {
        long[] shape = tensorInfo(node).getShape();
        if (axis >= shape.length) {
            throw new BundleException(bundle.dir, file, what + " has rank " + shape.length + ", expected at least " + (axis + 1));
        }
        if (shape[axis] >= 0 && shape[axis] != expected) {
            throw new BundleException(bundle.dir, file, what + " has dimension " + axis + " = " + shape[axis]
                    + ", but config.json gives " + expected + " (" + field + ")");
        }
    }

    private TensorInfo tensorInfo(NodeInfo node) {
        if (!(node.getInfo() instanceof TensorInfo t)) {
            throw new BundleException(bundle.dir, "onnx/", node.getName() + " is not a tensor");
        }
        return t;
    }

    private String rel(Path p) {
        return bundle.dir.relativize(p).toString();
    }

    // ---- running ----

    public ModelConfig config() {
        return bundle.config;
    }

    public int decoderLayers() {
        return bundle.config.decoderLayers();
    }

    public int intraOpThreads() {
        return intraOpThreads;
    }

    /** An int64 tensor owned by the caller. */
    public OnnxTensor longTensor(long[] data, long... shape) throws OrtException {
        return OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape);
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
        try (OnnxTensor inputIds = longTensor(ids, n, len); OnnxTensor attentionMask = longTensor(mask, n, len)) {
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
                        default -> throw new BundleException(bundle.dir, rel(bundle.encoderFile), "output " + LAST_HIDDEN
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
        return OnnxTensor.createTensor(env, all, new long[] {sources.size(), length, d}, type);
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
        Set<String> names = s.getInputNames();
        in.put(INPUT_IDS, inputIds);
        if (names.contains(ENC_MASK)) {
            in.put(ENC_MASK, encoderMask);
        }
        if (names.contains(ENC_HIDDEN)) {
            in.put(ENC_HIDDEN, encoderHidden);
        }
        OnnxTensor empty = null;
        try {
            if (first && decoderWithPast == null) {
                // merged decoder, first step: zero-length past and the no-cache branch
                empty = emptyCache(inputIds.getInfo().getShape()[0]);
                for (int i = 0; i < selfPast.length; i++) {
                    in.put(selfPast[i], empty);
                    in.put(crossPast[i], empty);
                }
                in.put(USE_CACHE, useCacheFalse);
            } else if (!first) {
                for (int i = 0; i < selfPast.length; i++) {
                    in.put(selfPast[i], self[i]);
                    in.put(crossPast[i], cross[i]);
                }
                if (names.contains(USE_CACHE)) {
                    in.put(USE_CACHE, useCacheTrue);
                }
            }
            Set<String> outs = new java.util.HashSet<>();
            outs.add(LOGITS);
            outs.addAll(java.util.List.of(selfPresent));
            if (first) {
                outs.addAll(java.util.List.of(crossPresent));
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
        return OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder()),
                new long[] {rows, c.decoderHeads(), 0, c.headDim()}, cacheType);
    }

    /** logits [rows, 1, vocab] of a {@link #decode} result */
    public OnnxTensor logits(Result step) {
        return (OnnxTensor) step.get(LOGITS).orElseThrow();
    }

    /** present self-attention key/values (2 per layer) of a {@link #decode} result */
    public OnnxTensor[] selfCache(Result step) {
        return pick(step, selfPresent);
    }

    /** present cross-attention key/values of the first step's result (later steps' are placeholders or absent) */
    public OnnxTensor[] crossCache(Result firstStep) {
        return pick(firstStep, crossPresent);
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
        OrtSession g = gathers.computeIfAbsent(tensors.length, this::gatherSession);
        Map<String, OnnxTensorLike> in = new HashMap<>();
        for (int i = 0; i < tensors.length; i++) {
            in.put(GatherGraph.input(i), tensors[i]);
        }
        try (OnnxTensor idx = longTensor(rows, rows.length)) {
            in.put(GatherGraph.ROWS, idx);
            return g.run(in);
        }
    }

    /** the i-th gathered tensor of a {@link #gatherRows} result */
    public static OnnxTensor gathered(Result r, int i) {
        return (OnnxTensor) r.get(GatherGraph.output(i)).orElseThrow();
    }

    private OrtSession gatherSession(int n) {
        try (OrtSession.SessionOptions o = options(intraOpThreads, profileDir, "gather_" + n)) {
            return env.createSession(GatherGraph.build(n, cacheOnnxType), o);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot build the cache gather graph: " + e.getMessage(), e);
        }
    }

    /**
     * log_softmax over the last axis of float logits, in native memory ({@link #logProbs} reads it); null when the
     * logits are not float. The caller closes the result.
     */
    public Result logSoftmax(OnnxTensor logits) throws OrtException {
        if (logits.getInfo().type != OnnxJavaType.FLOAT) {
            return null;
        }
        return logitsGraph("log_softmax", LogitsGraphs::logSoftmax).run(Map.of(LogitsGraphs.LOGITS, logits));
    }

    /** the output of a {@link #logSoftmax} result, shaped like its input */
    public static OnnxTensor logProbs(Result r) {
        return (OnnxTensor) r.get(LogitsGraphs.LOG_PROBS).orElseThrow();
    }

    /** Each row's best allowed token and its log-probability among the allowed tokens, or null ({@link #greedyPick}). */
    public record RowPicks(long[] tokens, float[] logProbs) {
    }

    /** Each input's best k candidates, best first, [inputs * k]: total score, and row in the input * vocab + token. */
    public record TopCandidates(float[] scores, long[] indices) {
    }

    /** Whether {@link #greedyPick} and {@link #beamTop} take these logits: float, [rows, vocab] or [rows, 1, vocab]. */
    public boolean canPick(OnnxTensor logits) {
        long[] shape = logits.getInfo().getShape();
        int vocab = bundle.config.vocabSize();
        return logits.getInfo().type == OnnxJavaType.FLOAT
                && (shape.length == 2 || (shape.length == 3 && shape[1] == 1))
                && shape[shape.length - 1] == vocab;
    }

    /** The pick graphs' ban input: float [vocab], -inf at each banned token, 0 elsewhere. The caller closes it. */
    public OnnxTensor banMask(int[] banned) throws OrtException {
        float[] mask = new float[bundle.config.vocabSize()];
        for (int t : banned) {
            mask[t] = Float.NEGATIVE_INFINITY;
        }
        return OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(mask), new long[] {mask.length});
    }

    /**
     * Greedy search's step in native memory, with the log-probabilities or without them (null then): see
     * {@link LogitsGraphs#greedyPick}. Needs {@link #canPick}.
     */
    public RowPicks greedyPick(OnnxTensor logits, OnnxTensor ban, boolean withLogProbs) throws OrtException {
        OrtSession s = logitsGraph(withLogProbs ? "greedy_pick" : "greedy_tokens",
                () -> LogitsGraphs.greedyPick(bundle.config.vocabSize(), withLogProbs));
        try (Result r = s.run(Map.of(LogitsGraphs.LOGITS, logits, LogitsGraphs.BAN, ban))) {
            int rows = (int) logits.getInfo().getShape()[0];
            long[] tokens = new long[rows];
            ((OnnxTensor) r.get(LogitsGraphs.TOKENS).orElseThrow()).getLongBuffer().get(tokens);
            if (!withLogProbs) {
                return new RowPicks(tokens, null);
            }
            float[] logProbs = new float[rows];
            ((OnnxTensor) r.get(LogitsGraphs.TOKEN_LOG_PROBS).orElseThrow()).getFloatBuffer().get(logProbs);
            return new RowPicks(tokens, logProbs);
        }
    }

    /**
     * Beam search's step in native memory (see {@link LogitsGraphs#beamTop}): the rows are {@code inputs} groups of
     * equal size, {@code rowScores} one per row. Needs {@link #canPick}; k at most a group's rows * vocab.
     */
    public TopCandidates beamTop(OnnxTensor logits, OnnxTensor ban, float[] rowScores, int inputs, int k) throws OrtException {
        OrtSession s = logitsGraph("beam_top", LogitsGraphs::beamTop);
        long[] shape = logits.getInfo().getShape();
        int rows = (int) shape[0];
        long[] scoreShape = shape.length == 3 ? new long[] {rows, 1, 1} : new long[] {rows, 1};
        long vocab = shape[shape.length - 1];
        try (OnnxTensor scores = OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(rowScores), scoreShape);
             OnnxTensor grouped = longTensor(new long[] {inputs, rows / inputs * vocab}, 2);
             OnnxTensor kk = longTensor(new long[] {k}, 1);
             Result r = s.run(Map.of(LogitsGraphs.LOGITS, logits, LogitsGraphs.BAN, ban, LogitsGraphs.ROW_SCORES, scores,
                     LogitsGraphs.GROUPED_SHAPE, grouped, LogitsGraphs.K, kk))) {
            float[] top = new float[inputs * k];
            long[] idx = new long[inputs * k];
            ((OnnxTensor) r.get(LogitsGraphs.TOP_SCORES).orElseThrow()).getFloatBuffer().get(top);
            ((OnnxTensor) r.get(LogitsGraphs.TOP_INDICES).orElseThrow()).getLongBuffer().get(idx);
            return new TopCandidates(top, idx);
        }
    }

    /** log(sum(exp(row))) of each row of {@code logits} [rows * vocab] */
    public float[] logNormalisers(float[] logits, int rows, int vocab) throws OrtException {
        OrtSession s = logitsGraph("log_sum_exp", LogitsGraphs::logSumExp);
        try (OnnxTensor in = OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(logits), new long[] {rows, vocab});
             Result r = s.run(Map.of(LogitsGraphs.LOGITS, in))) {
            float[] out = new float[rows];
            ((OnnxTensor) r.get(LogitsGraphs.LOG_NORMALISERS).orElseThrow()).getFloatBuffer().get(out);
            return out;
        }
    }

    private OrtSession logitsGraph(String name, java.util.function.Supplier<byte[]> graph) {
        return logitsGraphs.computeIfAbsent(name, n -> {
            try (OrtSession.SessionOptions o = options(intraOpThreads, profileDir, n)) {
                return env.createSession(graph.get(), o);
            } catch (OrtException e) {
                throw new IllegalStateException("cannot build the " + n + " graph: " + e.getMessage(), e);
            }
        });
    }

    @Override
    public void close() {
        useCacheFalse.close();
        useCacheTrue.close();
        closeQuietly(encoder);
        closeQuietly(decoder);
        closeQuietly(decoderWithPast);
        gathers.values().forEach(OnnxModel::closeQuietly);
        gathers.clear();
        logitsGraphs.values().forEach(OnnxModel::closeQuietly);
        logitsGraphs.clear();
        sharedTables.close();
    }

    /** The weight tables that the files share, held once: e.g. "m.embed.weight (62.5 MiB, 3 files)", or "none". */
    public String sharedTables() {
        return sharedTables.toString();
    }

    /** Tables that the files share but that each session holds itself, with the reason (empty when none). */
    public List<String> tablesNotShared() {
        return sharedTables.notShared();
    }
}
