package seq2seq.generation;

import java.util.ArrayList;
import java.util.List;

/**
 * Greedy search: each row takes its best-scoring token (after the logits processors) until EOS or the length cap;
 * finished rows leave the batch.
 */
final class GreedySearch implements Search {
    private final GenerationOptions options;
    private final List<LogitsProcessor> processors;
    private final int start;
    private final int eos;

    GreedySearch(GenerationOptions options, List<LogitsProcessor> processors, int start, int eos) {
        this.options = options;
        this.processors = processors;
        this.start = start;
        this.eos = eos;
    }

    @Override
    public List<List<Hypothesis>> run(StepDecoder decoder) {
        int inputs = decoder.rows();
        int vocab = decoder.vocabSize();
        int maxLength = options.maxLength();
        int[][] seq = new int[inputs][maxLength];
        int[] len = new int[inputs];
        float[] logProb = new float[inputs];
        List<List<Hypothesis>> out = new ArrayList<>();
        int[] input = new int[inputs];
        int[] last = new int[inputs];
        for (int b = 0; b < inputs; b++) {
            seq[b][0] = start;
            len[b] = 1;
            input[b] = b;
            last[b] = start;
            out.add(null);
        }
        while (input.length > 0) {
            float[] logits = decoder.step(last);
            int rows = input.length;
            int[] keep = new int[rows];
            int kept = 0;
            for (int r = 0; r < rows; r++) {
                int b = input[r];
                int off = r * vocab;
                for (LogitsProcessor p : processors) {
                    p.apply(seq[b], len[b], logits, off, vocab);
                }
                int best = off;
                for (int i = off + 1; i < off + vocab; i++) {
                    if (logits[i] > logits[best]) {
                        best = i;
                    }
                }
                int token = best - off;
                if (options.outputScores()) {
                    logProb[b] += logits[best] - LogSoftmax.logNormaliser(logits, off, vocab);
                }
                seq[b][len[b]++] = token;
                boolean finished = token == eos;
                if (finished || len[b] == maxLength) {
                    int[] tokens = java.util.Arrays.copyOfRange(seq[b], 1, len[b]);
                    // the mean token log-probability (training/SEARCH.md; no length penalty in greedy search)
                    float score = options.outputScores() ? logProb[b] / tokens.length : Float.NaN;
                    out.set(b, List.of(new Hypothesis(tokens, logProb[b], score, finished)));
                } else {
                    keep[kept++] = r;
                }
            }
            if (kept == 0) {
                break;
            }
            if (kept < rows) {
                keep = java.util.Arrays.copyOf(keep, kept);
                decoder.keepRows(keep);
            }
            int[] nextInput = new int[kept];
            last = new int[kept];
            for (int i = 0; i < kept; i++) {
                nextInput[i] = input[keep[i]];
                last[i] = seq[nextInput[i]][len[nextInput[i]] - 1];
            }
            input = nextInput;
        }
        return out;
    }
}
