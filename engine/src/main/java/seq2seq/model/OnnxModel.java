package seq2seq.model;

import ai.onnxruntime.OrtException;

import java.util.List;

/**
 * A bundle's model in ONNX Runtime, checked against config.json when loaded: its sessions ({@link OnnxSessions}),
 * the encoder and decoder steps with the KV cache ({@link EncoderDecoder}) and the native choice of the next tokens
 * ({@link LogitsOps}). Thread-safe.
 */
public final class OnnxModel implements AutoCloseable {
    /** the checked folder */
    public final ModelBundle bundle;
    private final OnnxSessions sessions;
    private final EncoderDecoder io;
    private final LogitsOps logits;

    private OnnxModel(ModelBundle bundle, OnnxSessions sessions, EncoderDecoder io, LogitsOps logits) {
        this.bundle = bundle;
        this.sessions = sessions;
        this.io = io;
        this.logits = logits;
    }

    /** Opens the bundle's ONNX files; a graph that does not match config.json is a {@link BundleException}. */
    public static OnnxModel load(ModelBundle bundle, int intraOpThreads) {
        return load(bundle, SessionSettings.threads(intraOpThreads));
    }

    /**
     * As {@link #load(ModelBundle, int)}, every session (the model's files and the small graphs made here) with these
     * settings; with a profileDir, each writes ONNX Runtime's per-operator profile there, NAME_DATE.json, when this
     * model closes.
     */
    public static OnnxModel load(ModelBundle bundle, SessionSettings settings) {
        OnnxSessions sessions;
        try {
            sessions = OnnxSessions.open(bundle, settings);
        } catch (BundleException | IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BundleException(bundle.dir, "onnx/", "cannot load: " + e.getMessage(), e);
        }
        try {
            TensorNames names = new TensorNames(bundle.config.decoderLayers());
            BundleGraphCheck check = new BundleGraphCheck(bundle, sessions, names);
            check.run();
            return new OnnxModel(bundle, sessions, new EncoderDecoder(bundle, sessions, names, check),
                    new LogitsOps(sessions, bundle.config.vocabSize()));
        } catch (OrtException | RuntimeException e) {
            sessions.close();
            if (e instanceof BundleException be) {
                throw be;
            }
            throw new BundleException(bundle.dir, "onnx/", "cannot load: " + e.getMessage(), e);
        }
    }

    /** The process-wide ONNX Runtime environment (see {@link OnnxSessions#environment}). */
    static ai.onnxruntime.OrtEnvironment environment() {
        return OnnxSessions.environment();
    }

    public ModelConfig config() {
        return bundle.config;
    }

    /** the encoder and the decoder steps */
    public EncoderDecoder io() {
        return io;
    }

    /** the native choice of the next tokens */
    public LogitsOps logits() {
        return logits;
    }

    public OnnxSessions sessions() {
        return sessions;
    }

    /** The weight tables that the files share, held once (each with its size and file count), or "none". */
    public String sharedTables() {
        return sessions.sharedTables();
    }

    /** Tables that the files share but that each session holds itself, with the reason (empty when none). */
    public List<String> tablesNotShared() {
        return sessions.tablesNotShared();
    }

    @Override
    public void close() {
        io.close();
        sessions.close();
    }
}
