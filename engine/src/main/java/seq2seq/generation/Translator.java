package seq2seq.generation;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The seam between the streaming pipeline (and the CLI) and the inference engine.
 * Implementations are thread-safe: all stream threads of an instance share one.
 */
public interface Translator extends AutoCloseable {

    /** Translates every task; the result list is in the order of the tasks. Never throws for one bad task: see {@link Translation#error()}. */
    List<Translation> translate(List<TranslationTask> tasks);

    /**
     * {@link #translate} as one batch, possibly on another thread. By default it runs here and returns a finished
     * future: a translator that runs inline, as the topology tests use.
     */
    default CompletableFuture<List<Translation>> submit(List<TranslationTask> tasks) {
        return CompletableFuture.completedFuture(translate(tasks));
    }

    /** Batches {@link #submit} runs at once; a caller keeps at most this many in flight. */
    default int parallelism() {
        return 1;
    }

    /** Name and version of the loaded model (the version keys the translation memory). */
    ModelInfo modelInfo();

    @Override
    void close();

    /**
     * This translator under another {@link ModelInfo} (a configured name, configured languages); same version
     * expected. Closing the view closes this translator.
     */
    default Translator withModelInfo(ModelInfo info) {
        Translator self = this;
        return new Translator() {
            @Override
            public List<Translation> translate(List<TranslationTask> tasks) {
                return self.translate(tasks);
            }

            @Override
            public CompletableFuture<List<Translation>> submit(List<TranslationTask> tasks) {
                return self.submit(tasks);
            }

            @Override
            public int parallelism() {
                return self.parallelism();
            }

            @Override
            public ModelInfo modelInfo() {
                return info;
            }

            @Override
            public void close() {
                self.close();
            }
        };
    }
}
