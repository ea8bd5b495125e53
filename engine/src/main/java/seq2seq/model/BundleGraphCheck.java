package seq2seq.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.file.Path;
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
 * Checks a bundle's graphs against its config.json before anything runs: every input is one the engine feeds, every
 * output it reads is there, and fixed dimensions match the config. A mismatch is a {@link BundleException} naming
 * the file, the tensor and the config field.
 */
final class BundleGraphCheck {
    private final ModelBundle bundle;
    private final OrtSession encoder;
    private final OrtSession decoder;
    private final OrtSession decoderWithPast;
    /** Optimum's tensor names for this model's layers */
    private final TensorNames names;

    BundleGraphCheck(ModelBundle bundle, OnnxSessions s, TensorNames names) {
        this.bundle = bundle;
        this.encoder = s.encoder;
        this.decoder = s.decoder;
        this.decoderWithPast = s.decoderWithPast;
        this.names = names;
    }

    void run() throws OrtException {
        ModelConfig c = bundle.config;
        String encFile = rel(bundle.encoderFile);
        requireInputs(encoder, encFile, Set.of(INPUT_IDS, ATTENTION_MASK));
        requireName(encoder.getInputNames(), encFile, "input", INPUT_IDS);
        requireName(encoder.getOutputNames(), encFile, "output", LAST_HIDDEN);
        checkDim(encoder.getOutputInfo().get(LAST_HIDDEN), encFile, "output " + LAST_HIDDEN, 2, c.dModel(), "d_model");

        String decFile = rel(bundle.decoderFile);
        if (decoderWithPast == null) {
            Set<String> known = new java.util.HashSet<>(Set.of(INPUT_IDS, ENC_HIDDEN, ENC_MASK, USE_CACHE));
            known.addAll(java.util.List.of(names.selfPast));
            known.addAll(java.util.List.of(names.crossPast));
            requireInputs(decoder, decFile, known);
            requireName(decoder.getInputNames(), decFile, "input", USE_CACHE);
            checkCacheInputs(decoder, decFile, true);
            checkOutputs(decoder, decFile, true);
        } else {
            requireInputs(decoder, decFile, Set.of(INPUT_IDS, ENC_HIDDEN, ENC_MASK));
            checkOutputs(decoder, decFile, true);
            String pastFile = rel(bundle.decoderWithPastFile);
            Set<String> known = new java.util.HashSet<>(Set.of(INPUT_IDS, ENC_HIDDEN, ENC_MASK));
            known.addAll(java.util.List.of(names.selfPast));
            known.addAll(java.util.List.of(names.crossPast));
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
        for (String[] names : withCross ? new String[][] {names.selfPast, names.crossPast} : new String[][] {names.selfPast}) {
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
        for (String n : names.selfPresent) {
            requireName(s.getOutputNames(), file, "output", n);
        }
        if (withCross) {
            for (String n : names.crossPresent) {
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

    TensorInfo tensorInfo(NodeInfo node) {
        if (!(node.getInfo() instanceof TensorInfo t)) {
            throw new BundleException(bundle.dir, "onnx/", node.getName() + " is not a tensor");
        }
        return t;
    }

    private String rel(Path p) {
        return bundle.dir.relativize(p).toString();
    }
}
