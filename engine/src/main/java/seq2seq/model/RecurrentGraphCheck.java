package seq2seq.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.util.Map;
import java.util.TreeSet;

/**
 * A recurrent bundle's graphs against its manifest: names, element types, ranks and the fixed dimensions; each
 * mismatch a {@link BundleException} naming the file and the manifest field.
 */
final class RecurrentGraphCheck {
    private final RecurrentManifest m;
    private final OrtSession encoder;
    private final OrtSession decoder;

    RecurrentGraphCheck(RecurrentManifest m, OrtSession encoder, OrtSession decoder) {
        this.m = m;
        this.encoder = encoder;
        this.decoder = decoder;
    }

    /** Checks the encoder; returns the element type of its ids input. */
    OnnxJavaType encoder() {
        String file = m.encoder.file();
        Map<String, NodeInfo> in = inputs(encoder, file);
        onlyInputs(in, file, "encoder.inputs", m.encoder.inputs());
        OnnxJavaType ids = idsInput(in, file, "encoder.inputs.ids", m.sourceVocabSize(), "the source vocabulary");
        Map<String, NodeInfo> out = outputs(encoder, file);
        for (String role : m.architecture.states) {
            state(out, file, "encoder.outputs." + role, m.encoder.outputs().get(role), "output");
        }
        return ids;
    }

    OnnxJavaType decoderInputs() {
        String file = m.decoder.file();
        Map<String, NodeInfo> in = inputs(decoder, file);
        onlyInputs(in, file, "decoder.inputs", m.decoder.inputs());
        OnnxJavaType ids = idsInput(in, file, "decoder.inputs.ids", m.targetVocabSize(), "the target vocabulary");
        long[] shape = tensor(in.get(m.decoder.inputs().get("ids")), file).getShape();
        if (shape[1] > 1) {
            throw new BundleException(m.dir, file, "input \"" + m.decoder.inputs().get("ids") + "\" (manifest field"
                    + " decoder.inputs.ids) takes " + shape[1] + " tokens at a time, expected one [batch, 1]");
        }
        for (String role : m.architecture.states) {
            state(in, file, "decoder.inputs." + role, m.decoder.inputs().get(role), "input");
        }
        return ids;
    }

    /** Checks the decoder's outputs: scores [rows, vocab] or (Keras) [rows, 1, vocab], and the states. */
    void decoderOutputs() {
        String file = m.decoder.file();
        Map<String, NodeInfo> out = outputs(decoder, file);
        String scores = m.decoder.outputs().get("scores");
        TensorInfo t = named(out, file, "decoder.outputs.scores", scores, "output");
        floatType(t, file, "output", scores, "decoder.outputs.scores");
        long[] shape = t.getShape();
        if (shape.length != 2 && !(shape.length == 3 && shape[1] <= 1)) {
            throw new BundleException(m.dir, file, "output \"" + scores + "\" (manifest field decoder.outputs.scores)"
                    + " has shape " + java.util.Arrays.toString(shape) + ", expected [batch, vocab] or [batch, 1, vocab]");
        }
        dim(shape, file, "output", scores, "decoder.outputs.scores", m.targetVocabSize(),
                "the target vocabulary's size (" + (m.level == RecurrentManifest.Level.CHARACTER ? "target.characters" : "target.tokens") + ")");
        for (String role : m.architecture.states) {
            state(out, file, "decoder.outputs." + role, m.decoder.outputs().get(role), "output");
        }
    }

    private OnnxJavaType idsInput(Map<String, NodeInfo> in, String file, String field, int depth, String what) {
        String name = fieldName(field);
        TensorInfo t = named(in, file, field, name, "input");
        long[] shape = t.getShape();
        if (m.inputEncoding == RecurrentManifest.InputEncoding.ONE_HOT) {
            if (shape.length != 3) {
                throw new BundleException(m.dir, file, "input \"" + name + "\" (manifest field " + field + ") has rank "
                        + shape.length + "; input_encoding one_hot wants [batch, length, vocab]");
            }
            floatType(t, file, "input", name, field);
            dim(shape, file, "input", name, field, depth, "the size of " + what);
            return OnnxJavaType.FLOAT;
        }
        if (shape.length != 2) {
            throw new BundleException(m.dir, file, "input \"" + name + "\" (manifest field " + field + ") has rank "
                    + shape.length + "; input_encoding embedding_ids wants [batch, length]"
                    + (shape.length == 3 ? " (a one-hot input wants \"input_encoding\": \"one_hot\")" : ""));
        }
        if (t.type != OnnxJavaType.INT64 && t.type != OnnxJavaType.INT32 && t.type != OnnxJavaType.FLOAT) {
            throw new BundleException(m.dir, file, "input \"" + name + "\" (manifest field " + field + ") has element"
                    + " type " + t.type + ", expected int64, int32 or float ids");
        }
        return t.type;
    }

    private void state(Map<String, NodeInfo> nodes, String file, String field, String name, String kind) {
        TensorInfo t = named(nodes, file, field, name, kind);
        floatType(t, file, kind, name, field);
        long[] shape = t.getShape();
        if (shape.length != 2) {
            throw new BundleException(m.dir, file, kind + " \"" + name + "\" (manifest field " + field + ") has shape "
                    + java.util.Arrays.toString(shape) + ", expected [batch, latent_dim]");
        }
        dim(shape, file, kind, name, field, m.latentDim, "manifest field latent_dim");
    }

    private void dim(long[] shape, String file, String kind, String name, String field, int expected, String what) {
        long last = shape[shape.length - 1];
        if (last >= 0 && last != expected) {
            throw new BundleException(m.dir, file, kind + " \"" + name + "\" (manifest field " + field + ") has "
                    + "last dimension " + last + ", but " + what + " is " + expected);
        }
    }

    private void floatType(TensorInfo t, String file, String kind, String name, String field) {
        if (t.type != OnnxJavaType.FLOAT) {
            throw new BundleException(m.dir, file, kind + " \"" + name + "\" (manifest field " + field
                    + ") has element type " + t.type + ", expected float32");
        }
    }

    private TensorInfo named(Map<String, NodeInfo> nodes, String file, String field, String name, String kind) {
        NodeInfo n = nodes.get(name);
        if (n == null) {
            throw new BundleException(m.dir, file, "has no " + kind + " \"" + name + "\" (manifest.json field "
                    + field + "; the graph's " + kind + "s: " + new TreeSet<>(nodes.keySet()) + ")");
        }
        return tensor(n, file);
    }

    private TensorInfo tensor(NodeInfo n, String file) {
        if (!(n.getInfo() instanceof TensorInfo t)) {
            throw new BundleException(m.dir, file, n.getName() + " is not a tensor");
        }
        return t;
    }

    /** Every input the graph declares must be one the manifest names (the engine feeds no others). */
    private void onlyInputs(Map<String, NodeInfo> in, String file, String field, Map<String, String> named) {
        for (String n : in.keySet()) {
            if (!named.containsValue(n)) {
                throw new BundleException(m.dir, file, "has an input \"" + n + "\" that manifest.json field " + field
                        + " does not name (it names " + named + ")");
            }
        }
    }

    private String fieldName(String field) {
        String[] p = field.split("\\.");
        RecurrentManifest.Graph g = p[0].equals("encoder") ? m.encoder : m.decoder;
        return (p[1].equals("inputs") ? g.inputs() : g.outputs()).get(p[2]);
    }

    private Map<String, NodeInfo> inputs(OrtSession s, String file) {
        try {
            return s.getInputInfo();
        } catch (OrtException e) {
            throw new BundleException(m.dir, file, "cannot read its inputs: " + e.getMessage(), e);
        }
    }

    private Map<String, NodeInfo> outputs(OrtSession s, String file) {
        try {
            return s.getOutputInfo();
        } catch (OrtException e) {
            throw new BundleException(m.dir, file, "cannot read its outputs: " + e.getMessage(), e);
        }
    }
}
