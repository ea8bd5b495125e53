package seq2seq.generation;

import seq2seq.model.DecoderLayout;
import seq2seq.model.Dtype;
import seq2seq.model.SessionSettings;

import java.nio.file.Path;

/**
 * How to load and run a model: {@link #builder()}, or {@link #defaults()}.
 *
 * @param dtype           weight variant (fp32, q8 = the _quantized files, ...)
 * @param layout          which decoder files: merged, the separate pair, or whichever the folder has
 * @param intraOpThreads  ONNX Runtime threads per operator (default: one per core)
 * @param batchTokens     budget per batch: padded source tokens times beams
 * @param maxBatchSize    inputs per batch at most
 * @param numBeams        beam width for tasks that set none, or null for the bundle's
 * @param maxNewTokens    token cap for tasks that set none, or null for the bundle's
 * @param outputScores    greedy search computes scores (costs one exp per vocabulary entry, row and step)
 * @param workers         batches run at once, each on its own thread (CTranslate2's inter_threads); a call with fewer
 *                        batches than workers has its batches cut so that every worker gets one
 * @param profileDir      where ONNX Runtime writes each session's per-operator profile when the engine closes, or null
 * @param cpuArena        each ONNX Runtime session keeps its own CPU memory arena ({@link SessionSettings#cpuArena})
 */
public record EngineOptions(Dtype dtype, DecoderLayout layout, int intraOpThreads, int batchTokens, int maxBatchSize,
                            Integer numBeams, Integer maxNewTokens, boolean outputScores, int workers,
                            Path profileDir, boolean cpuArena) {

    /** ONNX Runtime's CPU arena by default: see bench/report-rollout-rss.md for the choice */
    public static final boolean DEFAULT_CPU_ARENA = true;

    public EngineOptions {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intraOpThreads must be at least 1, found " + intraOpThreads);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, found " + workers);
        }
        if (batchTokens < 1 || maxBatchSize < 1) {
            throw new IllegalArgumentException("batchTokens and maxBatchSize must be positive");
        }
    }

    /** One worker on all cores, fp32, the decoder files the folder has, the bundle's search settings. */
    public static EngineOptions defaults() {
        return builder().build();
    }

    /** The options every ONNX Runtime session of the model gets. */
    public SessionSettings sessionSettings() {
        return new SessionSettings(intraOpThreads, cpuArena, profileDir);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Options changed one at a time; {@link #build} checks them together. Field defaults are {@link #defaults()}. */
    public static final class Builder {
        private Dtype dtype = Dtype.FP32;
        private DecoderLayout layout = DecoderLayout.AUTO;
        private int intraOpThreads = Runtime.getRuntime().availableProcessors();
        private int batchTokens = 4096;
        private int maxBatchSize = 64;
        private Integer numBeams;
        private Integer maxNewTokens;
        private boolean outputScores = true;
        private int workers = 1;
        private Path profileDir;
        private boolean cpuArena = DEFAULT_CPU_ARENA;

        private Builder() {
        }

        private Builder(EngineOptions o) {
            dtype = o.dtype;
            layout = o.layout;
            intraOpThreads = o.intraOpThreads;
            batchTokens = o.batchTokens;
            maxBatchSize = o.maxBatchSize;
            numBeams = o.numBeams;
            maxNewTokens = o.maxNewTokens;
            outputScores = o.outputScores;
            workers = o.workers;
            profileDir = o.profileDir;
            cpuArena = o.cpuArena;
        }

        public Builder dtype(Dtype v) {
            dtype = v;
            return this;
        }

        public Builder layout(DecoderLayout v) {
            layout = v;
            return this;
        }

        public Builder intraOpThreads(int v) {
            intraOpThreads = v;
            return this;
        }

        public Builder batchTokens(int v) {
            batchTokens = v;
            return this;
        }

        public Builder maxBatchSize(int v) {
            maxBatchSize = v;
            return this;
        }

        public Builder numBeams(Integer v) {
            numBeams = v;
            return this;
        }

        public Builder maxNewTokens(Integer v) {
            maxNewTokens = v;
            return this;
        }

        public Builder outputScores(boolean v) {
            outputScores = v;
            return this;
        }

        public Builder workers(int v) {
            workers = v;
            return this;
        }

        public Builder profileDir(Path v) {
            profileDir = v;
            return this;
        }

        public Builder cpuArena(boolean v) {
            cpuArena = v;
            return this;
        }

        /**
         * N batch workers, each on {@code intraOpThreads} threads, or when that is null on the cores shared among
         * them. N = 0 fills the cores: one worker per core, or with {@code intraOpThreads} set, cores / intraOpThreads.
         */
        public Builder workersOnCores(int n, Integer threadsEach) {
            if (n < 0) {
                throw new IllegalArgumentException("workers must be 0 (one per core) or more, found " + n);
            }
            if (threadsEach != null && threadsEach < 1) {
                throw new IllegalArgumentException("intraOpThreads must be at least 1, found " + threadsEach);
            }
            int cores = Runtime.getRuntime().availableProcessors();
            workers = n > 0 ? n : Math.max(1, cores / (threadsEach != null ? threadsEach : 1));
            intraOpThreads = threadsEach != null ? threadsEach : Math.max(1, cores / workers);
            return this;
        }

        public EngineOptions build() {
            return new EngineOptions(dtype, layout, intraOpThreads, batchTokens, maxBatchSize, numBeams, maxNewTokens,
                    outputScores, workers, profileDir, cpuArena);
        }
    }
}
