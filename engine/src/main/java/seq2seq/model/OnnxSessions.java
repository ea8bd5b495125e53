package seq2seq.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The ONNX Runtime sessions of a bundle's files, and of the small graphs built in Java, all with the same options,
 * and the weight tables the files share (loaded once, handed to every session). Thread-safe; closes them all.
 */
public final class OnnxSessions implements AutoCloseable {
    /** the process-wide ONNX Runtime environment */
    final OrtEnvironment env;
    final OrtSession encoder;
    /** merged decoder, or the first-step decoder of the pair */
    final OrtSession decoder;
    /** the pair's with-past decoder; null for the merged layout */
    final OrtSession decoderWithPast;
    /** the options of every session */
    private final SessionSettings settings;
    /** weight tables the files share, one copy for all sessions; closed after them */
    private final SharedTables sharedTables;
    /** the small graphs' sessions by name, made on first use */
    private final Map<String, OrtSession> smallGraphs = new ConcurrentHashMap<>();

    private OnnxSessions(OrtEnvironment env, SessionSettings settings, SharedTables sharedTables,
                         OrtSession encoder, OrtSession decoder, OrtSession decoderWithPast) {
        this.env = env;
        this.settings = settings;
        this.sharedTables = sharedTables;
        this.encoder = encoder;
        this.decoder = decoder;
        this.decoderWithPast = decoderWithPast;
    }

    /**
     * Opens the bundle's ONNX files; with a profileDir, every session writes ONNX Runtime's per-operator profile
     * there, NAME_DATE.json, when it closes.
     */
    static OnnxSessions open(ModelBundle bundle, SessionSettings settings) {
        createProfileDir(settings);
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
            enc = session(env, bundle, bundle.encoderFile, settings, shared);
            dec = session(env, bundle, bundle.decoderFile, settings, shared);
            if (bundle.decoderWithPastFile != null) {
                past = session(env, bundle, bundle.decoderWithPastFile, settings, shared);
            }
            return new OnnxSessions(env, settings, shared, enc, dec, past);
        } catch (RuntimeException e) {
            closeQuietly(enc);
            closeQuietly(dec);
            closeQuietly(past);
            shared.close();
            throw e;
        }
    }

    /** Creates the settings' profile folder, if they name one. */
    static void createProfileDir(SessionSettings settings) {
        Path dir = settings.profileDir();
        if (dir != null) {
            try {
                java.nio.file.Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot create the profile folder " + dir + ": " + e.getMessage(), e);
            }
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

    private static OrtSession session(OrtEnvironment env, ModelBundle bundle, Path file, SessionSettings settings,
                                      SharedTables shared) {
        String name = file.getFileName().toString().replaceFirst("\\.onnx$", "");
        try (OrtSession.SessionOptions o = options(settings, name)) {
            shared.addTo(o, file);
            return env.createSession(file.toString(), o);
        } catch (OrtException e) {
            throw new BundleException(bundle.dir, bundle.dir.relativize(file).toString(), "ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
    }

    /** The session's options; with a profile folder, its profile goes to profileDir/name_DATE.json. */
    static OrtSession.SessionOptions options(SessionSettings settings, String name) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(settings.intraOpThreads());
        o.setInterOpNumThreads(1);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        // Idle pool threads would spin for a while after each operator, taking the core that the search's own
        // arithmetic (and the next batch) needs: off (docs/engine.md, "Threads").
        o.addConfigEntry("session.intra_op.allow_spinning", "0");
        // Memory patterns are planned per input shape; a decoder's shapes change every step (rows, cache length), so
        // the plans only pile up: off (docs/engine.md, "Memory").
        o.setMemoryPatternOptimization(false);
        o.setCPUArenaAllocator(settings.cpuArena());
        if (settings.profileDir() != null) {
            o.enableProfiling(settings.profileDir().resolve(name).toString());
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

    /** The session of a small graph built in Java, made on first use and kept; {@code graph} makes its bytes. */
    OrtSession smallGraph(String name, Supplier<byte[]> graph) {
        return smallGraphs.computeIfAbsent(name, n -> {
            try (OrtSession.SessionOptions o = options(settings, n)) {
                return env.createSession(graph.get(), o);
            } catch (OrtException e) {
                throw new IllegalStateException("cannot build the " + n + " graph: " + e.getMessage(), e);
            }
        });
    }

    public int intraOpThreads() {
        return settings.intraOpThreads();
    }

    /** An int64 tensor owned by the caller. */
    public OnnxTensor longTensor(long[] data, long... shape) throws OrtException {
        return OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape);
    }

    /** A float tensor owned by the caller. */
    OnnxTensor floatTensor(float[] data, long... shape) throws OrtException {
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
    }

    /** The weight tables that the files share, held once (each with its size and file count), or "none". */
    public String sharedTables() {
        return sharedTables.toString();
    }

    /** Tables that the files share but that each session holds itself, with the reason (empty when none). */
    public List<String> tablesNotShared() {
        return sharedTables.notShared();
    }

    @Override
    public void close() {
        closeQuietly(encoder);
        closeQuietly(decoder);
        closeQuietly(decoderWithPast);
        smallGraphs.values().forEach(OnnxSessions::closeQuietly);
        smallGraphs.clear();
        sharedTables.close();
    }
}
