package seq2seq.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.Result;

import java.util.Map;

/**
 * The choice of the next tokens where the logits are, in native memory: log-softmax, the greedy pick and beam
 * search's top candidates, through the small graphs of {@link LogitsGraphs}. Only a few numbers per row come back to
 * Java. Thread-safe; callers close every tensor and {@link Result} they get.
 */
public final class LogitsOps {
    private final OnnxSessions sessions;
    /** the model's vocabulary size (the logits' last dimension) */
    private final int vocab;

    LogitsOps(OnnxSessions sessions, int vocab) {
        this.sessions = sessions;
        this.vocab = vocab;
    }

    /**
     * log_softmax over the last axis of float logits, in native memory ({@link #logProbs} reads it); null when the
     * logits are not float. The caller closes the result.
     */
    public Result logSoftmax(OnnxTensor logits) throws OrtException {
        if (logits.getInfo().type != OnnxJavaType.FLOAT) {
            return null;
        }
        return sessions.smallGraph("log_softmax", LogitsGraphs::logSoftmax).run(Map.of(LogitsGraphs.LOGITS, logits));
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
        return logits.getInfo().type == OnnxJavaType.FLOAT
                && (shape.length == 2 || (shape.length == 3 && shape[1] == 1))
                && shape[shape.length - 1] == vocab;
    }

    /** The pick graphs' ban input: float [vocab], -inf at each banned token, 0 elsewhere. The caller closes it. */
    public OnnxTensor banMask(int[] banned) throws OrtException {
        float[] mask = new float[vocab];
        for (int t : banned) {
            mask[t] = Float.NEGATIVE_INFINITY;
        }
        return sessions.floatTensor(mask, mask.length);
    }

    /**
     * Greedy search's step in native memory, with the log-probabilities or without them (null then): see
     * {@link LogitsGraphs#greedyPick}. Needs {@link #canPick}.
     */
    public RowPicks greedyPick(OnnxTensor logits, OnnxTensor ban, boolean withLogProbs) throws OrtException {
        OrtSession s = sessions.smallGraph(withLogProbs ? "greedy_pick" : "greedy_tokens",
                () -> LogitsGraphs.greedyPick(vocab, withLogProbs));
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
        OrtSession s = sessions.smallGraph("beam_top", LogitsGraphs::beamTop);
        long[] shape = logits.getInfo().getShape();
        int rows = (int) shape[0];
        long[] scoreShape = shape.length == 3 ? new long[] {rows, 1, 1} : new long[] {rows, 1};
        long vocab = shape[shape.length - 1];
        try (OnnxTensor scores = sessions.floatTensor(rowScores, scoreShape);
             OnnxTensor grouped = sessions.longTensor(new long[] {inputs, rows / inputs * vocab}, 2);
             OnnxTensor kk = sessions.longTensor(new long[] {k}, 1);
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
        OrtSession s = sessions.smallGraph("log_sum_exp", LogitsGraphs::logSumExp);
        try (OnnxTensor in = sessions.floatTensor(logits, rows, vocab);
             Result r = s.run(Map.of(LogitsGraphs.LOGITS, in))) {
            float[] out = new float[rows];
            ((OnnxTensor) r.get(LogitsGraphs.LOG_NORMALISERS).orElseThrow()).getFloatBuffer().get(out);
            return out;
        }
    }
}
