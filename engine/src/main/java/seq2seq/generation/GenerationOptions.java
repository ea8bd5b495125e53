package seq2seq.generation;

import seq2seq.model.GenerationDefaults;

import java.util.List;

/**
 * Search settings for one call (Hugging Face semantics and names). {@link #defaults} takes the bundle's, each
 * with-method overrides one.
 *
 * @param maxNewTokens        generated tokens at most (EOS included); Hugging Face's max_length is this + 1
 * @param minLength           no EOS while the decoder sequence (start token included) is shorter than this
 * @param numBeams            beam width; 1 is greedy search
 * @param lengthPenalty       beam score = sum of log-probs / generated length ^ lengthPenalty
 * @param earlyStopping       when beam search stops for an input
 * @param noRepeatNgramSize   no n-gram of this size twice in the output (0: off)
 * @param repetitionPenalty   scores of tokens already in the sequence are divided (positive) or multiplied (negative) by it (1: off)
 * @param badWordsIds         token sequences never generated
 * @param forcedBosTokenId    token forced as the first generated one, or null
 * @param forcedEosTokenId    token forced as the last one when the length cap is reached, or null
 * @param numReturnSequences  hypotheses returned per input (at most numBeams)
 * @param outputScores        greedy search computes each token's log-probability (one exp per vocabulary entry and
 *                            row per step); beam search always has them
 */
public record GenerationOptions(int maxNewTokens, int minLength, int numBeams, double lengthPenalty,
                                EarlyStopping earlyStopping, int noRepeatNgramSize, double repetitionPenalty,
                                List<int[]> badWordsIds, Integer forcedBosTokenId, Integer forcedEosTokenId,
                                int numReturnSequences, boolean outputScores) {

    /** Hugging Face's default max_length when a bundle sets none */
    private static final int HF_DEFAULT_MAX_LENGTH = 20;

    public GenerationOptions {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, found " + maxNewTokens);
        }
        if (numBeams < 1) {
            throw new IllegalArgumentException("numBeams must be at least 1, found " + numBeams);
        }
        if (numReturnSequences < 1 || numReturnSequences > numBeams) {
            throw new IllegalArgumentException("numReturnSequences must be between 1 and numBeams (" + numBeams + "), found " + numReturnSequences);
        }
        if (repetitionPenalty <= 0) {
            throw new IllegalArgumentException("repetitionPenalty must be positive, found " + repetitionPenalty);
        }
        badWordsIds = List.copyOf(badWordsIds);
    }

    /** The bundle's settings, Hugging Face's defaults for what it leaves out. */
    public static GenerationOptions defaults(GenerationDefaults g) {
        int maxNew = g.maxNewTokens() != null ? g.maxNewTokens()
                : (g.maxLength() != null ? g.maxLength() : HF_DEFAULT_MAX_LENGTH) - 1;
        return new GenerationOptions(Math.max(1, maxNew), or(g.minLength(), 0), or(g.numBeams(), 1),
                g.lengthPenalty() != null ? g.lengthPenalty() : 1.0,
                g.earlyStopping() != null ? EarlyStopping.parse(g.earlyStopping()) : EarlyStopping.FALSE,
                or(g.noRepeatNgramSize(), 0), g.repetitionPenalty() != null ? g.repetitionPenalty() : 1.0,
                g.badWordsIds(), g.forcedBosTokenId(), g.forcedEosTokenId(), 1, true);
    }

    private static int or(Integer v, int dflt) {
        return v != null ? v : dflt;
    }

    /** Hugging Face's max_length: the decoder sequence's cap, start token included. */
    public int maxLength() {
        return maxNewTokens + 1;
    }

    public GenerationOptions withMaxNewTokens(int v) {
        return new GenerationOptions(v, minLength, numBeams, lengthPenalty, earlyStopping, noRepeatNgramSize,
                repetitionPenalty, badWordsIds, forcedBosTokenId, forcedEosTokenId, numReturnSequences, outputScores);
    }

    public GenerationOptions withNumBeams(int v) {
        return new GenerationOptions(maxNewTokens, minLength, v, lengthPenalty, earlyStopping, noRepeatNgramSize,
                repetitionPenalty, badWordsIds, forcedBosTokenId, forcedEosTokenId, Math.min(numReturnSequences, v), outputScores);
    }

    public GenerationOptions withLengthPenalty(double v) {
        return new GenerationOptions(maxNewTokens, minLength, numBeams, v, earlyStopping, noRepeatNgramSize,
                repetitionPenalty, badWordsIds, forcedBosTokenId, forcedEosTokenId, numReturnSequences, outputScores);
    }

    public GenerationOptions withEarlyStopping(EarlyStopping v) {
        return new GenerationOptions(maxNewTokens, minLength, numBeams, lengthPenalty, v, noRepeatNgramSize,
                repetitionPenalty, badWordsIds, forcedBosTokenId, forcedEosTokenId, numReturnSequences, outputScores);
    }

    public GenerationOptions withNoRepeatNgramSize(int v) {
        return new GenerationOptions(maxNewTokens, minLength, numBeams, lengthPenalty, earlyStopping, v,
                repetitionPenalty, badWordsIds, forcedBosTokenId, forcedEosTokenId, numReturnSequences, outputScores);
    }

    public GenerationOptions withRepetitionPenalty(double v) {
        return new GenerationOptions(maxNewTokens, minLength, numBeams, lengthPenalty, earlyStopping, noRepeatNgramSize,
                v, badWordsIds, forcedBosTokenId, forcedEosTokenId, numReturnSequences, outputScores);
    }

    public GenerationOptions withMinLength(int v) {
        return new GenerationOptions(maxNewTokens, v, numBeams, lengthPenalty, earlyStopping, noRepeatNgramSize,
                repetitionPenalty, badWordsIds, forcedBosTokenId, forcedEosTokenId, numReturnSequences, outputScores);
    }

    public GenerationOptions withBadWordsIds(List<int[]> v) {
        return new GenerationOptions(maxNewTokens, minLength, numBeams, lengthPenalty, earlyStopping, noRepeatNgramSize,
                repetitionPenalty, v, forcedBosTokenId, forcedEosTokenId, numReturnSequences, outputScores);
    }

    public GenerationOptions withForcedBosTokenId(Integer v) {
        return new GenerationOptions(maxNewTokens, minLength, numBeams, lengthPenalty, earlyStopping, noRepeatNgramSize,
                repetitionPenalty, badWordsIds, v, forcedEosTokenId, numReturnSequences, outputScores);
    }

    public GenerationOptions withForcedEosTokenId(Integer v) {
        return new GenerationOptions(maxNewTokens, minLength, numBeams, lengthPenalty, earlyStopping, noRepeatNgramSize,
                repetitionPenalty, badWordsIds, forcedBosTokenId, v, numReturnSequences, outputScores);
    }

    public GenerationOptions withOutputScores(boolean v) {
        return new GenerationOptions(maxNewTokens, minLength, numBeams, lengthPenalty, earlyStopping, noRepeatNgramSize,
                repetitionPenalty, badWordsIds, forcedBosTokenId, forcedEosTokenId, numReturnSequences, v);
    }

    public GenerationOptions withNumReturnSequences(int v) {
        return new GenerationOptions(maxNewTokens, minLength, numBeams, lengthPenalty, earlyStopping, noRepeatNgramSize,
                repetitionPenalty, badWordsIds, forcedBosTokenId, forcedEosTokenId, v, outputScores);
    }
}
