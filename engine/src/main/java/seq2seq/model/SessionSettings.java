package seq2seq.model;

import java.nio.file.Path;

/**
 * The ONNX Runtime options every session of a model gets.
 *
 * @param intraOpThreads threads per operator
 * @param cpuArena       each session keeps its own CPU memory arena, grown to the largest run and never given back
 *                       while the session lives; off, tensors come from and go back to the C allocator
 *                       (docs/engine.md, "Memory")
 * @param profileDir     where each session writes ONNX Runtime's per-operator profile when it closes, or null
 */
public record SessionSettings(int intraOpThreads, boolean cpuArena, Path profileDir) {
    public SessionSettings {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intraOpThreads must be at least 1, found " + intraOpThreads);
        }
    }

    /** {@code threads} per operator, ONNX Runtime's CPU arena on (its own default), no profile. */
    public static SessionSettings threads(int threads) {
        return new SessionSettings(threads, true, null);
    }
}
