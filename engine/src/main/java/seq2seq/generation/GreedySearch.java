package seq2seq.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy search: each row takes its best-scoring token (after the logits processors) until EOS or the length cap;
 * finished rows leave the batch. When the processors only ban tokens, the decoder picks where the logits are
 * ({@link StepDecoder#stepPick}); otherwise the logits come into Java for the processors.
 */
final class GreedySearch implements Search {
    /** steps whose scores may still be computing (each holds its logits) */
    private static final int MAX_PENDING_SCORES = 2;

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
        boolean[] finished = new boolean[inputs];
        int[] input = new int[inputs];
        int[] last = new int[inputs];
        for (int b = 0; b < inputs; b++) {
            seq[b][0] = start;
            len[b] = 1;
            input[b] = b;
            last[b] = start;
        }
        // each step's chosen-token log-probabilities, computed on a helper thread while the next step runs
        List<WorkerPool.Fork<float[]>> stepLogProbs = new ArrayList<>();
        List<int[]> stepInputs = new ArrayList<>();
        float[] logProb = new float[inputs];
        int summed = 0;
        while (input.length > 0) {
            int rows = input.length;
            int[] banned = LogitsProcessor.uniformBans(processors, len[input[0]], vocab); // all live rows are as long
            Picks picks = null;
            float[] logits = null;
            int[] chosen;
            if (banned != null) {
                picks = decoder.stepPick(last, banned, options.outputScores());
                chosen = picks.tokens();
            } else {
                logits = decoder.step(last);
                chosen = new int[rows];
                for (int r = 0; r < rows; r++) {
                    int off = r * vocab;
                    for (LogitsProcessor p : processors) {
                        p.apply(seq[input[r]], len[input[r]], logits, off, vocab);
                    }
                    chosen[r] = Picks.argMax(logits, off, vocab);
                }
            }
            int[] keep = new int[rows];
            int kept = 0;
            for (int r = 0; r < rows; r++) {
                int b = input[r];
                seq[b][len[b]++] = chosen[r];
                finished[b] = chosen[r] == eos;
                if (!finished[b] && len[b] < maxLength) {
                    keep[kept++] = r;
                }
            }
            if (options.outputScores() && picks != null) {
                // earlier steps' scores first, so that every sum adds in step order
                for (; summed < stepLogProbs.size(); summed++) {
                    addLogProbs(stepLogProbs.get(summed), stepInputs.get(summed), logProb);
                }
                for (int r = 0; r < rows; r++) {
                    logProb[input[r]] += picks.logProbs()[r];
                }
            } else if (options.outputScores()) {
                float[] stepLogits = logits;
                stepLogProbs.add(WorkerPool.fork(() -> {
                    float[] norm = decoder.logNormalisers(stepLogits, rows);
                    float[] lp = new float[rows];
                    for (int r = 0; r < rows; r++) {
                        lp[r] = stepLogits[r * vocab + chosen[r]] - norm[r];
                    }
                    return lp;
                }));
                stepInputs.add(input);
                while (stepLogProbs.size() - summed > MAX_PENDING_SCORES) {
                    // a slow helper must not hold many steps' logits: catch up in step order
                    addLogProbs(stepLogProbs.get(summed), stepInputs.get(summed), logProb);
                    summed++;
                }
            }
            if (kept == 0) {
                break;
            }
            if (kept < rows) {
                keep = Arrays.copyOf(keep, kept);
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
        for (; summed < stepLogProbs.size(); summed++) {
            addLogProbs(stepLogProbs.get(summed), stepInputs.get(summed), logProb);
        }
        List<List<Hypothesis>> out = new ArrayList<>();
        for (int b = 0; b < inputs; b++) {
            int[] tokens = Arrays.copyOfRange(seq[b], 1, len[b]);
            // the mean token log-probability (training/SEARCH.md; no length penalty in greedy search)
            float score = options.outputScores() ? logProb[b] / tokens.length : Float.NaN;
            out.add(List.of(new Hypothesis(tokens, logProb[b], score, finished[b])));
        }
        return out;
    }

    private static void addLogProbs(WorkerPool.Fork<float[]> step, int[] inputOfRow, float[] logProb) {
        float[] lp = step.join();
        for (int r = 0; r < inputOfRow.length; r++) {
            logProb[inputOfRow[r]] += lp[r];
        }
    }
}
