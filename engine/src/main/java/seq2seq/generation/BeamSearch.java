package seq2seq.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Beam search with Hugging Face's semantics (training/SEARCH.md): log-softmax, then the logits processors, plus the
 * beam's score; the best 2 * numBeams candidates per input; an EOS candidate ranked below numBeams is dropped, one
 * ranked within becomes a finished hypothesis, the others continue. At the first step only beam 0 is live (with
 * at least as many beams as tokens, beams 1.. start as dead copies, as Hugging Face starts them all).
 * Inputs that are done leave the batch; beams that swap move the cache (see {@link CachedDecoder}). When the
 * processors only ban tokens, the decoder picks the candidates where the logits are ({@link StepDecoder#stepTop}).
 */
final class BeamSearch implements Search {
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

    /** Hugging Face's score of the start's copies at the first step: they rank after every real candidate. */
    static final float DEAD_BEAM = -1e9f;

    /** One live beam: its sequence (start token first) and its sum of log-probabilities. */
    private record Beam(int[] seq, float score) {
    }

    @Override
    public List<List<Hypothesis>> run(StepDecoder decoder) {
        int inputs = decoder.rows();
        int k = options.numBeams();
        int vocab = decoder.vocabSize();
        int maxLength = options.maxLength();
        BeamHypotheses[] hyps = new BeamHypotheses[inputs];
        // each input's live beams; before the first step one beam (its k beams would all be the same)
        Beam[][] beams = new Beam[inputs][];
        for (int b = 0; b < inputs; b++) {
            hyps[b] = new BeamHypotheses(k, options.lengthPenalty(), options.earlyStopping(), options.maxNewTokens());
            beams[b] = new Beam[] {new Beam(new int[] {start}, 0f)};
        }
        // live inputs in decoder order
        int[] live = new int[inputs];
        for (int b = 0; b < inputs; b++) {
            live[b] = b;
        }
        int[] last = new int[inputs];
        Arrays.fill(last, start);
        boolean firstStep = true;
        if (k >= vocab) {
            // one beam's first step has fewer tokens than there are beams: start, as Hugging Face always does, with
            // k copies of the start, all but the first at DEAD_BEAM, so that every step has k beams to continue
            startWithDeadBeams(decoder, beams, k);
            last = new int[inputs * k];
            Arrays.fill(last, start);
            firstStep = false;
        }
        while (live.length > 0) {
            int rowsPerInput = firstStep ? 1 : k;
            int curLen = beams[live[0]][0].seq.length; // the same for all live beams
            float[] rowScores = new float[live.length * rowsPerInput];
            for (int i = 0; i < live.length; i++) {
                for (int j = 0; j < rowsPerInput; j++) {
                    rowScores[i * rowsPerInput + j] = beams[live[i]][j].score;
                }
            }
            int want = Math.min(2 * k, rowsPerInput * vocab);
            int[] banned = LogitsProcessor.uniformBans(processors, curLen, vocab);
            BeamCandidates candidates = banned != null
                    ? decoder.stepTop(last, banned, rowScores, rowsPerInput, want)
                    : processedCandidates(decoder, last, live, beams, rowScores, rowsPerInput, want, vocab);
            boolean atCap = curLen + 1 >= maxLength;
            List<Integer> nextLive = new ArrayList<>();
            List<Integer> keepRows = new ArrayList<>();
            for (int i = 0; i < live.length; i++) {
                int b = live[i];
                Beam[] next = new Beam[k];
                int[] nextRow = new int[k];
                int n = 0;
                for (int rank = 0; rank < candidates.count[i] && n < k; rank++) {
                    int slot = i * want + rank;
                    int beam = candidates.flat[slot] / vocab;
                    int token = candidates.flat[slot] % vocab;
                    float score = candidates.scores[slot];
                    if (firstStep && score == Float.NEGATIVE_INFINITY) {
                        // Hugging Face runs k copies of the start at step 0, beams 1..k-1 at -1e9: where beam 0 has
                        // fewer than 2k possible tokens (a forced first token) their copies of its best token rank
                        // next, not an impossible token (an impossible EOS would count as finished: early_stopping
                        // true would stop at once)
                        token = candidates.flat[i * want] % vocab;
                        score = -1e9f;
                        if (token == eos) {
                            continue;
                        }
                    }
                    int[] seq = beams[b][beam].seq;
                    if (token == eos) {
                        if (rank >= k) {
                            continue;
                        }
                        int[] tokens = Arrays.copyOfRange(seq, 1, seq.length + 1);
                        tokens[tokens.length - 1] = eos;
                        hyps[b].add(tokens, score, seq.length, true);
                    } else {
                        int[] grown = Arrays.copyOf(seq, seq.length + 1);
                        grown[seq.length] = token;
                        next[n] = new Beam(grown, score);
                        nextRow[n] = i * rowsPerInput + beam;
                        n++;
                    }
                }
                boolean done = hyps[b].isDone(candidates.scores[i * want], curLen);
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

    private void startWithDeadBeams(StepDecoder decoder, Beam[][] beams, int k) {
        int inputs = beams.length;
        int[] rows = new int[inputs * k];
        for (int b = 0; b < inputs; b++) {
            beams[b] = new Beam[k];
            for (int j = 0; j < k; j++) {
                beams[b][j] = new Beam(new int[] {start}, j == 0 ? 0f : DEAD_BEAM);
                rows[b * k + j] = b;
            }
        }
        decoder.keepRows(rows);
    }

    /**
     * A step whose processors need the scores themselves: log-probabilities read into Java, each row through the
     * processors, then each input's best candidates (inputs in two halves).
     */
    private BeamCandidates processedCandidates(StepDecoder decoder, int[] last, int[] live, Beam[][] beams,
                                               float[] rowScores, int rowsPerInput, int want, int vocab) {
        float[] logProbs = decoder.stepLogProbs(last);
        BeamCandidates candidates = new BeamCandidates(live.length, want);
        WorkerPool.parallelFor(live.length, i -> {
            Beam[] own = beams[live[i]];
            for (int j = 0; j < rowsPerInput; j++) {
                int r = i * rowsPerInput + j;
                for (LogitsProcessor p : processors) {
                    p.apply(own[j].seq, own[j].seq.length, logProbs, r * vocab, vocab);
                }
            }
            candidates.fill(i, logProbs, rowScores, rowsPerInput, vocab);
        });
        return candidates;
    }
}
