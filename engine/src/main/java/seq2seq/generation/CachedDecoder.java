package seq2seq.generation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.Result;
import seq2seq.model.OnnxModel;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The KV cache bookkeeping around an {@link OnnxModel}'s decoder for one batch.
 * The present.* tensors of one step are fed as the next step's past (they stay native; no copy through Java);
 * the cross-attention key/values come from the first step and are kept. Reordering rows runs a Gather graph in
 * ONNX Runtime, and only for what changes: the self-attention cache when beams swap, the encoder side too when
 * rows leave or repeat. Each native result is closed as soon as nothing refers to it. When the processors only ban
 * tokens, a step's choice is made in ONNX Runtime too ({@link #stepPick}, {@link #stepTop}): the [rows, vocab]
 * logits, 16 MB a step for beam 4 at batch 32 with a 32 000-token vocabulary, then stay in native memory.
 * <p>
 * Longer than most classes, on purpose: every native tensor of a batch's cache is made, handed on and closed here,
 * so that the rule "each native result is closed exactly once" can be checked in one file.
 */
final class CachedDecoder implements StepDecoder {
    private final OnnxModel model;
    private final int vocab;
    /** the padded source ids' attention mask, one row per input */
    private final long[][] sourceMask;
    /** the input each live row belongs to */
    private int[] source;
    /** encoder output for the live rows [rows, source length, d_model]; null after the first step when no later step reads it */
    private OnnxTensor hidden;
    /** mask for the live rows, rebuilt when rows change */
    private OnnxTensor mask;
    /** self-attention past (2 per layer); null before the first step */
    private OnnxTensor[] self;
    /** cross-attention key/values (2 per layer) from the first step */
    private OnnxTensor[] cross;
    /** native results that own hidden, self and cross */
    private final List<Result> owners = new ArrayList<>();
    /** the encoder output when it is a tensor of its own (encoded in groups) rather than part of a result */
    private OnnxTensor ownedHidden;
    /** the tokens of {@link #banMask}, which is made again only when they change */
    private int[] maskedTokens;
    private OnnxTensor banMask;

    /** What a step does with its logits while they are alive. */
    private interface LogitsUse<T> {
        T apply(OnnxTensor logits) throws OrtException;
    }

    /** Takes ownership of the encoder result. */
    CachedDecoder(OnnxModel model, Result encoded, long[][] sourceMask) throws OrtException {
        this(model, encoded, model.io().encoderOutput(encoded), sourceMask);
    }

    /** Takes ownership of the encoder output [rows, source length, d_model] (encoded in groups). */
    CachedDecoder(OnnxModel model, OnnxTensor hidden, long[][] sourceMask) throws OrtException {
        this(model, null, hidden, sourceMask);
        this.ownedHidden = hidden;
    }

    private CachedDecoder(OnnxModel model, Result encoded, OnnxTensor hidden, long[][] sourceMask) throws OrtException {
        this.model = model;
        this.vocab = model.config().vocabSize();
        this.sourceMask = sourceMask;
        if (encoded != null) {
            this.owners.add(encoded);
        }
        this.hidden = hidden;
        this.source = new int[sourceMask.length];
        for (int i = 0; i < source.length; i++) {
            source[i] = i;
        }
        this.mask = maskFor(source);
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int rows() {
        return source.length;
    }

    @Override
    public float[] step(int[] lastTokens) {
        return decodeStep(lastTokens, logits -> readLogits(logits, lastTokens.length));
    }

    /** The log-softmax runs in ONNX Runtime (vectorised, on the intra-op threads) when the logits are float. */
    @Override
    public float[] stepLogProbs(int[] lastTokens) {
        return decodeStep(lastTokens, this::logProbs);
    }

    @Override
    public Picks stepPick(int[] lastTokens, int[] banned, boolean withLogProbs) {
        return decodeStep(lastTokens, logits -> {
            int rows = lastTokens.length;
            if (!model.logits().canPick(logits)) {
                return Picks.of(readLogits(logits, rows), rows, vocab, banned);
            }
            seq2seq.model.LogitsOps.RowPicks p = model.logits().greedyPick(logits, banMask(banned), withLogProbs);
            int[] tokens = new int[rows];
            for (int r = 0; r < rows; r++) {
                tokens[r] = (int) p.tokens()[r];
            }
            return new Picks(tokens, p.logProbs());
        });
    }

    @Override
    public BeamCandidates stepTop(int[] lastTokens, int[] banned, float[] rowScores, int rowsPerInput, int want) {
        return decodeStep(lastTokens, logits -> {
            if (!model.logits().canPick(logits)) {
                return BeamCandidates.of(logProbs(logits), banned, rowScores, rowsPerInput, want, vocab);
            }
            int inputs = lastTokens.length / rowsPerInput;
            seq2seq.model.LogitsOps.TopCandidates top = model.logits().beamTop(logits, banMask(banned), rowScores, inputs, want);
            return BeamCandidates.of(top.scores(), top.indices(), inputs, want);
        });
    }

    /** Runs the decoder on each row's last token, lets {@code use} read the logits, then moves the cache on. */
    private <T> T decodeStep(int[] lastTokens, LogitsUse<T> use) {
        int rows = source.length;
        if (lastTokens.length != rows) {
            throw new IllegalArgumentException(lastTokens.length + " tokens for " + rows + " rows");
        }
        long[] ids = new long[rows];
        for (int i = 0; i < rows; i++) {
            ids[i] = lastTokens[i];
        }
        try (OnnxTensor input = model.sessions().longTensor(ids, rows, 1)) {
            boolean first = self == null;
            Result r = model.io().decode(input, mask, hidden, self, cross);
            owners.add(r);
            T out = use.apply(model.io().logits(r));
            if (first) {
                cross = model.io().crossCache(r);
                if (!model.io().laterStepsReadEncoderOutput()) {
                    hidden = null; // its cross-attention key/values are all that later steps need: freed now
                }
            }
            self = model.io().selfCache(r);
            release();
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("decoder step failed: " + e.getMessage(), e);
        }
    }

    private float[] logProbs(OnnxTensor logits) throws OrtException {
        int rows = (int) logits.getInfo().getShape()[0];
        Result normalised = model.logits().logSoftmax(logits);
        if (normalised == null) {
            float[] x = readLogits(logits, rows);
            LogSoftmax.rowsInPlace(x, vocab);
            return x;
        }
        try (normalised) {
            return readLogits(seq2seq.model.LogitsOps.logProbs(normalised), rows);
        }
    }

    private OnnxTensor banMask(int[] banned) throws OrtException {
        if (banMask == null || !java.util.Arrays.equals(banned, maskedTokens)) {
            if (banMask != null) {
                banMask.close();
            }
            banMask = model.logits().banMask(banned);
            maskedTokens = banned.clone();
        }
        return banMask;
    }

    private float[] readLogits(OnnxTensor t, int rows) {
        long[] shape = t.getInfo().getShape();
        int v = (int) shape[shape.length - 1];
        int steps = shape.length == 3 ? (int) shape[1] : 1;
        FloatBuffer buf = t.getFloatBuffer();
        if (steps == 1 && v == vocab && buf.hasArray() && buf.arrayOffset() == 0 && buf.array().length == rows * vocab) {
            return buf.array(); // already a private copy: no second one
        }
        float[] out = new float[rows * vocab];
        for (int r = 0; r < rows; r++) {
            // the last position of each row (one position per step with a cache)
            buf.position((r * steps + steps - 1) * v);
            buf.get(out, r * vocab, Math.min(v, vocab));
        }
        return out;
    }

    /** In ONNX Runtime (vectorised): the Java loop of one exp per entry cost greedy search about a tenth of its time. */
    @Override
    public float[] logNormalisers(float[] logits, int rows) {
        try {
            return model.logits().logNormalisers(logits, rows, vocab);
        } catch (OrtException e) {
            throw new IllegalStateException("log-normalisers failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void keepRows(int[] rows) {
        if (isIdentity(rows)) {
            return;
        }
        int[] newSource = new int[rows.length];
        boolean sourcesChange = rows.length != source.length;
        for (int i = 0; i < rows.length; i++) {
            newSource[i] = source[rows[i]];
            sourcesChange = sourcesChange || newSource[i] != source[i];
        }
        long[] idx = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            idx[i] = rows[i];
        }
        try {
            if (rows.length == 0) {
                self = null;
                cross = null;
                hidden = null;
            } else if (self == null) {
                hidden = gather(new OnnxTensor[] {hidden}, idx)[0];
            } else if (!sourcesChange) {
                // beams of one input swapped: their encoder side is identical, only the self-attention cache moves
                self = gather(self, idx);
            } else {
                int n = self.length;
                OnnxTensor[] all = new OnnxTensor[hidden != null ? 2 * n + 1 : 2 * n];
                System.arraycopy(self, 0, all, 0, n);
                System.arraycopy(cross, 0, all, n, n);
                if (hidden != null) {
                    all[2 * n] = hidden;
                }
                OnnxTensor[] g = gather(all, idx);
                self = java.util.Arrays.copyOfRange(g, 0, n);
                cross = java.util.Arrays.copyOfRange(g, n, 2 * n);
                hidden = hidden != null ? g[2 * n] : null;
            }
            if (sourcesChange) {
                mask.close();
                mask = maskFor(newSource);
            }
            source = newSource;
            release();
        } catch (OrtException e) {
            throw new IllegalStateException("cache reorder failed: " + e.getMessage(), e);
        }
    }

    private boolean isIdentity(int[] rows) {
        if (rows.length != source.length) {
            return false;
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] != i) {
                return false;
            }
        }
        return true;
    }

    private OnnxTensor[] gather(OnnxTensor[] tensors, long[] idx) throws OrtException {
        Result r = model.io().gatherRows(tensors, idx);
        owners.add(r);
        OnnxTensor[] out = new OnnxTensor[tensors.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = seq2seq.model.EncoderDecoder.gathered(r, i);
        }
        return out;
    }

    private OnnxTensor maskFor(int[] rowsSource) throws OrtException {
        int len = sourceMask.length == 0 ? 0 : sourceMask[0].length;
        long[] flat = new long[rowsSource.length * len];
        for (int i = 0; i < rowsSource.length; i++) {
            System.arraycopy(sourceMask[rowsSource[i]], 0, flat, i * len, len);
        }
        return model.sessions().longTensor(flat, rowsSource.length, len);
    }

    /** Closes every owned result none of whose tensors is still in use. */
    private void release() {
        if (ownedHidden != null && ownedHidden != hidden) {
            ownedHidden.close();
            ownedHidden = null;
        }
        Set<Object> live = Collections.newSetFromMap(new IdentityHashMap<>());
        if (hidden != null) {
            live.add(hidden);
        }
        if (self != null) {
            live.addAll(List.of(self));
        }
        if (cross != null) {
            live.addAll(List.of(cross));
        }
        owners.removeIf(r -> {
            for (var e : r) {
                if (live.contains(e.getValue())) {
                    return false;
                }
            }
            r.close();
            return true;
        });
    }

    @Override
    public void close() {
        owners.forEach(Result::close);
        owners.clear();
        if (ownedHidden != null) {
            ownedHidden.close();
            ownedHidden = null;
        }
        if (mask != null) {
            mask.close();
            mask = null;
        }
        if (banMask != null) {
            banMask.close();
            banMask = null;
        }
        self = null;
        cross = null;
        hidden = null;
    }
}
