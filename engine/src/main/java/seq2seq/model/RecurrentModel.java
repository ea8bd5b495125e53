package seq2seq.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recurrent (LSTM or GRU) encoder-decoder bundle in ONNX Runtime: the encoder graph (source ids to the final
 * states) and the one-step decoder graph (last token and states to scores and the next states), named by
 * manifest.json and checked against it when loaded. The states travel as Java float arrays, one row per live row
 * [rows * latent_dim]. Thread-safe.
 */
public final class RecurrentModel implements AutoCloseable {
    public final RecurrentManifest manifest;
    private final OrtEnvironment env;
    private final OrtSession encoder;
    private final OrtSession decoder;
    /** element type the encoder's and the decoder's ids input takes (long, int or float ids; float for one-hot) */
    private final OnnxJavaType encoderIdsType;
    private final OnnxJavaType decoderIdsType;

    /** One decoder step's outputs: scores [rows * target vocab] as the graph gives them, and the next states. */
    public record Step(float[] scores, float[][] states) {
    }

    private RecurrentModel(RecurrentManifest manifest, OrtEnvironment env, OrtSession encoder, OrtSession decoder) {
        this.manifest = manifest;
        this.env = env;
        this.encoder = encoder;
        this.decoder = decoder;
        RecurrentGraphCheck check = new RecurrentGraphCheck(manifest, encoder, decoder);
        this.encoderIdsType = check.encoder();
        this.decoderIdsType = check.decoderInputs();
        check.decoderOutputs();
    }

    /**
     * Opens and checks a recurrent bundle (see {@link RecurrentManifest#isRecurrent}); with a profileDir, each session
     * writes ONNX Runtime's per-operator profile there when the model closes. Errors name the file and the field.
     */
    public static RecurrentModel load(Path dir, SessionSettings settings) {
        RecurrentManifest m = RecurrentManifest.read(dir);
        OnnxSessions.createProfileDir(settings);
        OrtEnvironment env = OnnxSessions.environment();
        OrtSession enc = null;
        OrtSession dec = null;
        try {
            enc = session(env, m, "encoder", m.encoder.file(), settings);
            dec = session(env, m, "decoder", m.decoder.file(), settings);
            return new RecurrentModel(m, env, enc, dec);
        } catch (RuntimeException e) {
            closeQuietly(enc);
            closeQuietly(dec);
            throw e;
        }
    }

    private static OrtSession session(OrtEnvironment env, RecurrentManifest m, String field, String file,
                                      SessionSettings settings) {
        Path p = m.dir.resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new BundleException(m.dir, file, "file is missing (named by " + RecurrentManifest.FILE + " field \""
                    + field + ".file\")");
        }
        String name = p.getFileName().toString().replaceFirst("\\.onnx$", "");
        try (OrtSession.SessionOptions o = OnnxSessions.options(settings, name)) {
            return env.createSession(p.toString(), o);
        } catch (OrtException e) {
            throw new BundleException(m.dir, file, "ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
    }

    public int latentDim() {
        return manifest.latentDim;
    }

    /** The number of state tensors: 2 for an LSTM (h, c), 1 for a GRU. */
    public int stateCount() {
        return manifest.architecture.states.size();
    }

    public int targetVocabSize() {
        return manifest.targetVocabSize();
    }

    /** The files the outputs depend on: the manifest and both graphs. */
    public List<Path> contentFiles() {
        return List.of(manifest.dir.resolve(RecurrentManifest.FILE), manifest.dir.resolve(manifest.encoder.file()),
                manifest.dir.resolve(manifest.decoder.file()));
    }

    /** SHA-256 over {@link #contentFiles()} (first 16 hex digits): changes whenever outputs may change. */
    public String contentHash() {
        return ModelBundle.contentHash(manifest.dir, contentFiles());
    }

    /**
     * The encoder's final states for each source, [sources * latent_dim] per state. Sources of the same length run
     * together, each at its own length (or all padded to source.pad_to_length): padding never enters a state, so a
     * source's states do not depend on the batch it is in.
     */
    public float[][] encode(List<long[]> sources) throws OrtException {
        int n = sources.size();
        int latent = manifest.latentDim;
        float[][] states = new float[stateCount()][n * latent];
        Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
        List<long[]> padded = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long[] ids = pad(sources.get(i));
            padded.add(ids);
            byLength.computeIfAbsent(ids.length, k -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<Integer, List<Integer>> g : byLength.entrySet()) {
            List<Integer> rows = g.getValue();
            int len = g.getKey();
            long[] ids = new long[rows.size() * len];
            for (int r = 0; r < rows.size(); r++) {
                System.arraycopy(padded.get(rows.get(r)), 0, ids, r * len, len);
            }
            String input = manifest.encoder.inputs().get("ids");
            try (OnnxTensor t = idsTensor(ids, rows.size(), len, encoderIdsType, manifest.sourceVocabSize());
                 OrtSession.Result out = encoder.run(Map.of(input, t))) {
                for (int s = 0; s < stateCount(); s++) {
                    String role = manifest.architecture.states.get(s);
                    float[] got = floats(out, manifest.encoder.outputs().get(role), rows.size() * latent, manifest.encoder.file());
                    for (int r = 0; r < rows.size(); r++) {
                        System.arraycopy(got, r * latent, states[s], rows.get(r) * latent, latent);
                    }
                }
            }
        }
        return states;
    }

    private long[] pad(long[] ids) {
        Integer to = manifest.padToLength;
        if (to == null || ids.length >= to) {
            return ids;
        }
        long[] out = new long[to];
        java.util.Arrays.fill(out, manifest.paddingIndex);
        System.arraycopy(ids, 0, out, manifest.paddingSide.equals("left") ? to - ids.length : 0, ids.length);
        return out;
    }

    /** One decoder step for {@code rows} rows: each row's last token and states [rows * latent_dim] per state. */
    public Step step(int[] tokens, float[][] states) throws OrtException {
        int rows = tokens.length;
        int latent = manifest.latentDim;
        long[] ids = new long[rows];
        for (int r = 0; r < rows; r++) {
            ids[r] = tokens[r];
        }
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put(manifest.decoder.inputs().get("ids"), idsTensor(ids, rows, 1, decoderIdsType, manifest.targetVocabSize()));
            for (int s = 0; s < stateCount(); s++) {
                in.put(manifest.decoder.inputs().get(manifest.architecture.states.get(s)),
                        OnnxTensor.createTensor(env, FloatBuffer.wrap(states[s], 0, rows * latent), new long[] {rows, latent}));
            }
            try (OrtSession.Result out = decoder.run(in)) {
                String file = manifest.decoder.file();
                float[] scores = floats(out, manifest.decoder.outputs().get("scores"), rows * manifest.targetVocabSize(), file);
                float[][] next = new float[stateCount()][];
                for (int s = 0; s < stateCount(); s++) {
                    next[s] = floats(out, manifest.decoder.outputs().get(manifest.architecture.states.get(s)), rows * latent, file);
                }
                return new Step(scores, next);
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    /** ids as the graph takes them: [rows, len] of longs, ints or floats, or one-hot floats [rows, len, depth]. */
    private OnnxTensor idsTensor(long[] ids, int rows, int len, OnnxJavaType type, int depth) throws OrtException {
        if (manifest.inputEncoding == RecurrentManifest.InputEncoding.ONE_HOT) {
            float[] hot = new float[ids.length * depth];
            for (int i = 0; i < ids.length; i++) {
                hot[i * depth + (int) ids[i]] = 1f;
            }
            return OnnxTensor.createTensor(env, FloatBuffer.wrap(hot), new long[] {rows, len, depth});
        }
        long[] shape = {rows, len};
        return switch (type) {
            case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
            case INT32 -> {
                int[] v = new int[ids.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (int) ids[i];
                }
                yield OnnxTensor.createTensor(env, IntBuffer.wrap(v), shape);
            }
            default -> {
                float[] v = new float[ids.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = ids[i];
                }
                yield OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
            }
        };
    }

    /** A float output, which must hold exactly {@code expected} values. */
    private float[] floats(OrtSession.Result out, String name, int expected, String file) {
        OnnxValue v = out.get(name).orElseThrow(() -> new IllegalStateException(file + " gave no output " + name));
        if (!(v instanceof OnnxTensor t) || t.getInfo().type != OnnxJavaType.FLOAT) {
            throw new IllegalStateException(file + ": output " + name + " is not a float tensor");
        }
        FloatBuffer b = t.getFloatBuffer();
        if (b.remaining() != expected) {
            throw new IllegalStateException(file + ": output " + name + " has " + b.remaining() + " values, expected "
                    + expected + " (shape " + java.util.Arrays.toString(t.getInfo().getShape()) + ")");
        }
        float[] a = new float[expected];
        b.get(a);
        return a;
    }

    @Override
    public void close() {
        closeQuietly(encoder);
        closeQuietly(decoder);
    }

    private static void closeQuietly(OrtSession s) {
        if (s != null) {
            try {
                s.close();
            } catch (OrtException ignored) {
                // closing after a failed load, or at the end: nothing to do
            }
        }
    }
}
