package seq2seq.generation;

import seq2seq.model.GenerationDefaults;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Search settings for one call (Hugging Face semantics and names). {@link #defaults} takes the bundle's;
 * {@link #toBuilder} changes some.
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

    /** A builder that starts from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Equal when every setting is: the token lists by their contents (the engine groups tasks by these options). */
    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationOptions g && maxNewTokens == g.maxNewTokens && minLength == g.minLength
                && numBeams == g.numBeams && Double.compare(lengthPenalty, g.lengthPenalty) == 0
                && earlyStopping == g.earlyStopping && noRepeatNgramSize == g.noRepeatNgramSize
                && Double.compare(repetitionPenalty, g.repetitionPenalty) == 0 && sameIds(badWordsIds, g.badWordsIds)
                && Objects.equals(forcedBosTokenId, g.forcedBosTokenId) && Objects.equals(forcedEosTokenId, g.forcedEosTokenId)
                && numReturnSequences == g.numReturnSequences && outputScores == g.outputScores;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(maxNewTokens, minLength, numBeams, lengthPenalty, earlyStopping, noRepeatNgramSize,
                repetitionPenalty, forcedBosTokenId, forcedEosTokenId, numReturnSequences, outputScores);
        for (int[] ids : badWordsIds) {
            h = 31 * h + Arrays.hashCode(ids);
        }
        return h;
    }

    private static boolean sameIds(List<int[]> a, List<int[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Settings changed one at a time; {@link #build} checks them together. */
    public static final class Builder {
        private int maxNewTokens;
        private int minLength;
        private int numBeams;
        private double lengthPenalty;
        private EarlyStopping earlyStopping;
        private int noRepeatNgramSize;
        private double repetitionPenalty;
        private List<int[]> badWordsIds;
        private Integer forcedBosTokenId;
        private Integer forcedEosTokenId;
        private int numReturnSequences;
        private boolean outputScores;

        private Builder(GenerationOptions o) {
            maxNewTokens = o.maxNewTokens;
            minLength = o.minLength;
            numBeams = o.numBeams;
            lengthPenalty = o.lengthPenalty;
            earlyStopping = o.earlyStopping;
            noRepeatNgramSize = o.noRepeatNgramSize;
            repetitionPenalty = o.repetitionPenalty;
            badWordsIds = o.badWordsIds;
            forcedBosTokenId = o.forcedBosTokenId;
            forcedEosTokenId = o.forcedEosTokenId;
            numReturnSequences = o.numReturnSequences;
            outputScores = o.outputScores;
        }

        public Builder maxNewTokens(int v) {
            maxNewTokens = v;
            return this;
        }

        public Builder minLength(int v) {
            minLength = v;
            return this;
        }

        /** also caps numReturnSequences at the new width */
        public Builder numBeams(int v) {
            numBeams = v;
            numReturnSequences = Math.min(numReturnSequences, v);
            return this;
        }

        public Builder lengthPenalty(double v) {
            lengthPenalty = v;
            return this;
        }

        public Builder earlyStopping(EarlyStopping v) {
            earlyStopping = v;
            return this;
        }

        public Builder noRepeatNgramSize(int v) {
            noRepeatNgramSize = v;
            return this;
        }

        public Builder repetitionPenalty(double v) {
            repetitionPenalty = v;
            return this;
        }

        public Builder badWordsIds(List<int[]> v) {
            badWordsIds = v;
            return this;
        }

        public Builder forcedBosTokenId(Integer v) {
            forcedBosTokenId = v;
            return this;
        }

        public Builder forcedEosTokenId(Integer v) {
            forcedEosTokenId = v;
            return this;
        }

        public Builder numReturnSequences(int v) {
            numReturnSequences = v;
            return this;
        }

        public Builder outputScores(boolean v) {
            outputScores = v;
            return this;
        }

        public GenerationOptions build() {
            return new GenerationOptions(maxNewTokens, minLength, numBeams, lengthPenalty, earlyStopping, noRepeatNgramSize,
                    repetitionPenalty, badWordsIds, forcedBosTokenId, forcedEosTokenId, numReturnSequences, outputScores);
        }
    }
}
