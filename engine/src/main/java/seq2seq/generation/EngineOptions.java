package seq2seq.generation;

import seq2seq.model.DecoderLayout;
import seq2seq.model.Dtype;

import java.nio.file.Path;

/**
 * How to load and run a model. {@link #defaults()} then with-methods.
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
 */
public record EngineOptions(Dtype dtype, DecoderLayout layout, int intraOpThreads, int batchTokens, int maxBatchSize,
                            Integer numBeams, Integer maxNewTokens, boolean outputScores, int workers,
                            Path profileDir) {

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

    public static EngineOptions defaults() {
        return new EngineOptions(Dtype.FP32, DecoderLayout.AUTO, Runtime.getRuntime().availableProcessors(), 4096, 64, null, null, true, 1, null);
    }

    public EngineOptions withDtype(Dtype v) {
        return new EngineOptions(v, layout, intraOpThreads, batchTokens, maxBatchSize, numBeams, maxNewTokens, outputScores, workers, profileDir);
    }

    public EngineOptions withLayout(DecoderLayout v) {
        return new EngineOptions(dtype, v, intraOpThreads, batchTokens, maxBatchSize, numBeams, maxNewTokens, outputScores, workers, profileDir);
    }

    public EngineOptions withIntraOpThreads(int v) {
        return new EngineOptions(dtype, layout, v, batchTokens, maxBatchSize, numBeams, maxNewTokens, outputScores, workers, profileDir);
    }

    public EngineOptions withBatchTokens(int v) {
        return new EngineOptions(dtype, layout, intraOpThreads, v, maxBatchSize, numBeams, maxNewTokens, outputScores, workers, profileDir);
    }

    public EngineOptions withMaxBatchSize(int v) {
        return new EngineOptions(dtype, layout, intraOpThreads, batchTokens, v, numBeams, maxNewTokens, outputScores, workers, profileDir);
    }

    public EngineOptions withNumBeams(Integer v) {
        return new EngineOptions(dtype, layout, intraOpThreads, batchTokens, maxBatchSize, v, maxNewTokens, outputScores, workers, profileDir);
    }

    public EngineOptions withOutputScores(boolean v) {
        return new EngineOptions(dtype, layout, intraOpThreads, batchTokens, maxBatchSize, numBeams, maxNewTokens, v, workers, profileDir);
    }

    public EngineOptions withMaxNewTokens(Integer v) {
        return new EngineOptions(dtype, layout, intraOpThreads, batchTokens, maxBatchSize, numBeams, v, outputScores, workers, profileDir);
    }

    /**
     * N batch workers, each on {@code intraOpThreads} threads, or when that is null on the cores shared among them.
     * N = 0 fills the cores: one worker per core, or with {@code intraOpThreads} set, cores / intraOpThreads workers.
     */
    public EngineOptions withWorkersOnCores(int workers, Integer intraOpThreads) {
        if (workers < 0) {
            throw new IllegalArgumentException("workers must be 0 (one per core) or more, found " + workers);
        }
        if (intraOpThreads != null && intraOpThreads < 1) {
            throw new IllegalArgumentException("intraOpThreads must be at least 1, found " + intraOpThreads);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int w = workers > 0 ? workers : Math.max(1, cores / (intraOpThreads != null ? intraOpThreads : 1));
        int threads = intraOpThreads != null ? intraOpThreads : Math.max(1, cores / w);
        return withWorkers(w).withIntraOpThreads(threads);
    }

    public EngineOptions withWorkers(int v) {
        return new EngineOptions(dtype, layout, intraOpThreads, batchTokens, maxBatchSize, numBeams, maxNewTokens, outputScores, v, profileDir);
    }

    public EngineOptions withProfileDir(Path v) {
        return new EngineOptions(dtype, layout, intraOpThreads, batchTokens, maxBatchSize, numBeams, maxNewTokens, outputScores, workers, v);
    }
}
