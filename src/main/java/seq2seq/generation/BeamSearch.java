package seq2seq.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Beam search with Hugging Face's semantics (training/SEARCH.md): log-softmax, then the logits processors, plus the
 * beam's score; the best 2 * numBeams candidates per input; an EOS candidate ranked below numBeams is dropped, one
 * ranked within becomes a finished hypothesis, the others continue. At the first step only beam 0 is live.
 * Inputs that are done leave the batch; beams that swap move the cache (see {@link CachedDecoder}).
 */
final class BeamSearch implements Search {
    private static final float DEAD_BEAM = -1e9f;

    private final GenerationOptions options;
    private final List<LogitsProcessor> processors;
    private final int start;
    private final int eos;

    BeamSearch(GenerationOptions options, List<LogitsProcessor> processors, int start, int eos) {
        this.options = options;
        this.processors = processors;
        this.start = start;
        this.eos = eos;
    }

    /** One live beam: its sequence (start token first) and its sum of log-probabilities. */
    private record Beam(int[] seq, float score) {
    }

    /** A possible continuation: beam k of the input, token, total score. */
    private record Candidate(int beam, int token, float score) {
    }

    @Override
    public List<List<Hypothesis>> run(StepDecoder decoder) {
        int inputs = decoder.rows();
        int k = options.numBeams();
        int vocab = decoder.vocabSize();
        int maxLength = options.maxLength();
        BeamHypotheses[] hyps = new BeamHypotheses[inputs];
        Beam[][] beams = new Beam[inputs][k];
        for (int b = 0; b < inputs; b++) {
            hyps[b] = new BeamHypotheses(k, options.lengthPenalty(), options.earlyStopping(), options.maxNewTokens());
            for (int j = 0; j < k; j++) {
                beams[b][j] = new Beam(new int[] {start}, j == 0 ? 0f : DEAD_BEAM);
            }
        }
        // live inputs in decoder order; before the first step each has one row (its beams are all the same)
        int[] live = new int[inputs];
        for (int b = 0; b < inputs; b++) {
            live[b] = b;
        }
        int[] last = new int[inputs];
        Arrays.fill(last, start);
        boolean firstStep = true;
        while (live.length > 0) {
            float[] logProbs = decoder.stepLogProbs(last);
            int rowsPerInput = firstStep ? 1 : k;
            int[] liveNow = live;
            @SuppressWarnings("unchecked")
            List<Candidate>[] candidates = new List[live.length];
            // per input: processors on its rows, then its best 2k candidates (inputs in two halves)
            SearchWorkers.parallelFor(live.length, i -> {
                Beam[] own = beams[liveNow[i]];
                for (int r = i * rowsPerInput; r < (i + 1) * rowsPerInput; r++) {
                    Beam beam = own[r % rowsPerInput];
                    for (LogitsProcessor p : processors) {
                        p.apply(beam.seq, beam.seq.length, logProbs, r * vocab, vocab);
                    }
                }
                candidates[i] = topCandidates(logProbs, i, rowsPerInput, own, k, vocab);
            });
            int curLen = beams[live[0]][0].seq.length; // the same for all live beams
            boolean atCap = curLen + 1 >= maxLength;
            List<Integer> nextLive = new ArrayList<>();
            List<Integer> keepRows = new ArrayList<>();
            for (int i = 0; i < live.length; i++) {
                int b = live[i];
                List<Candidate> cands = candidates[i];
                Beam[] next = new Beam[k];
                int[] nextRow = new int[k];
                int n = 0;
                for (int rank = 0; rank < cands.size() && n < k; rank++) {
                    Candidate c = cands.get(rank);
                    int[] seq = beams[b][c.beam].seq;
                    if (c.token == eos) {
                        if (rank >= k) {
                            continue;
                        }
                        int[] tokens = Arrays.copyOfRange(seq, 1, seq.length + 1);
                        tokens[tokens.length - 1] = eos;
                        hyps[b].add(tokens, c.score, seq.length, true);
                    } else {
                        int[] grown = Arrays.copyOf(seq, seq.length + 1);
                        grown[seq.length] = c.token;
                        next[n] = new Beam(grown, c.score);
                        nextRow[n] = i * rowsPerInput + (firstStep ? 0 : c.beam);
                        n++;
                    }
                }
                boolean done = hyps[b].isDone(cands.get(0).score, curLen);
                beams[b] = next;
                if (done) {
                    continue;
                }
                if (atCap) {
                    for (Beam beam : next) {
                        hyps[b].add(Arrays.copyOfRange(beam.seq, 1, beam.seq.length), beam.score, beam.seq.length - 1, false);
                    }
                    continue;
                }
                nextLive.add(b);
                for (int j = 0; j < k; j++) {
                    keepRows.add(nextRow[j]);
                }
            }
            firstStep = false;
            live = nextLive.stream().mapToInt(Integer::intValue).toArray();
            if (live.length == 0) {
                break;
            }
            decoder.keepRows(keepRows.stream().mapToInt(Integer::intValue).toArray());
            last = new int[live.length * k];
            for (int i = 0; i < live.length; i++) {
                for (int j = 0; j < k; j++) {
                    int[] seq = beams[live[i]][j].seq;
                    last[i * k + j] = seq[seq.length - 1];
                }
            }
        }
        List<List<Hypothesis>> out = new ArrayList<>();
        for (int b = 0; b < inputs; b++) {
            out.add(hyps[b].best(options.numReturnSequences()));
        }
        return out;
    }

    /**
     * The best 2k continuations of input i over all its beams, best first (ties: lower beam, then lower token, as a
     * top-k over the flattened [beam * vocab] row would most likely order them).
     */
    private static List<Candidate> topCandidates(float[] logProbs, int i, int rowsPerInput, Beam[] beams, int k, int vocab) {
        int want = 2 * k;
        float[] score = new float[want];
        int[] flat = new int[want];
        int n = 0;
        float bar = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            float base = beams[j].score;
            if (n == want && base <= DEAD_BEAM / 2) {
                continue; // a dead beam (first step) cannot beat 2k live candidates
            }
            int off = (i * rowsPerInput + (rowsPerInput == 1 ? 0 : j)) * vocab;
            for (int v = 0; v < vocab; v++) {
                float s = logProbs[off + v] + base;
                if (n == want && !(s > bar)) {
                    continue;
                }
                // insert keeping descending order; equal scores keep the earlier one first
                int pos = n < want ? n++ : want - 1;
                while (pos > 0 && score[pos - 1] < s) {
                    score[pos] = score[pos - 1];
                    flat[pos] = flat[pos - 1];
                    pos--;
                }
                score[pos] = s;
                flat[pos] = j * vocab + v;
                if (n == want) {
                    bar = score[want - 1];
                }
            }
        }
        List<Candidate> top = new ArrayList<>(n);
        for (int c = 0; c < n; c++) {
            top.add(new Candidate(flat[c] / vocab, flat[c] % vocab, score[c]));
        }
        return top;
    }
}
