package seq2seq.generation;

import java.util.List;

/**
 * The seam between the streaming pipeline (and the CLI) and the inference engine.
 * Implementations are thread-safe: all stream threads of an instance share one.
 */
public interface Translator extends AutoCloseable {

    /** Translates every task; the result list is in the order of the tasks. Never throws for one bad task: see {@link Translation#error()}. */
    List<Translation> translate(List<TranslationTask> tasks);

    /** Name and version of the loaded model (the version keys the translation memory). */
    ModelInfo modelInfo();

    @Override
    void close();
}
