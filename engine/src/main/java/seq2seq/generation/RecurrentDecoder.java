package seq2seq.generation;

import ai.onnxruntime.OrtException;
import seq2seq.model.RecurrentManifest;
import seq2seq.model.RecurrentModel;

import java.util.List;

/**
 * The {@link StepDecoder} of a recurrent encoder-decoder for one batch: the live rows' states (h and c for an LSTM,
 * h for a GRU) in Java arrays, fed to the one-step decoder graph and replaced by its next states each step. Keeping,
 * repeating or reordering rows gathers the state rows. The scores come out as the search wants them: a softmax
 * output as its log (already normalised), logits and log-probabilities as they are.
 */
final class RecurrentDecoder implements StepDecoder {
    private final RecurrentModel model;
    private final int vocab;
    private final int latent;
    /** per state, [rows * latent] */
    private float[][] states;
    private int rows;

    /** Encodes the sources: one row per source, in order. */
    RecurrentDecoder(RecurrentModel model, List<long[]> sources) throws OrtException {
        this.model = model;
        this.vocab = model.targetVocabSize();
        this.latent = model.latentDim();
        this.states = model.encode(sources);
        this.rows = sources.size();
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public float[] step(int[] lastTokens) {
        if (lastTokens.length != rows) {
            throw new IllegalArgumentException(lastTokens.length + " tokens for " + rows + " rows");
        }
        RecurrentModel.Step s;
        try {
            s = model.step(lastTokens, states);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
        states = s.states();
        float[] scores = s.scores();
        if (model.manifest.outputScores == RecurrentManifest.OutputScores.SOFTMAX) {
            for (int i = 0; i < scores.length; i++) {
                scores[i] = (float) Math.log(scores[i]);
            }
        }
        return scores;
    }

    /** Softmax and log-softmax outputs are log-probabilities already (as the reference search takes them). */
    @Override
    public float[] stepLogProbs(int[] lastTokens) {
        if (model.manifest.outputScores == RecurrentManifest.OutputScores.LOGITS) {
            return StepDecoder.super.stepLogProbs(lastTokens);
        }
        return step(lastTokens);
    }

    @Override
    public void keepRows(int[] keep) {
        float[][] next = new float[states.length][keep.length * latent];
        for (int s = 0; s < states.length; s++) {
            for (int i = 0; i < keep.length; i++) {
                System.arraycopy(states[s], keep[i] * latent, next[s], i * latent, latent);
            }
        }
        states = next;
        rows = keep.length;
    }

    @Override
    public void close() {
        states = null; // Java arrays only: nothing native outlives a step
    }
}
