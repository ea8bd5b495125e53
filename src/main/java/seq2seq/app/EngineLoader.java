package seq2seq.app;

import seq2seq.app.config.AppConfig;
import seq2seq.app.config.Settings;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.model.Dtype;

import seq2seq.streams.Batcher;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** Loads the engine the configuration names, with the batch caps the pipeline uses. */
final class EngineLoader {
    private EngineLoader() {
    }

    static Engine load(AppConfig c) {
        return load(Path.of(c.get(Settings.MODEL_DIR)), c);
    }

    static Engine load(Path dir, AppConfig c) {
        EngineOptions o = EngineOptions.defaults()
                .withDtype(Dtype.parse(c.get(Settings.MODEL_DTYPE)))
                .withIntraOpThreads(c.getInt(Settings.ENGINE_THREADS))
                .withMaxBatchSize(c.getInt(Settings.BATCH_SIZE));
        return onBigStack(() -> Engine.load(dir, o));
    }

    /** Runs {@code work} on a thread with a large stack: the engine's native code overflows the default 1 MB stack. */
    static <T> T onBigStack(Supplier<T> work) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                result.set(work.get());
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "engine-load", Batcher.ENGINE_STACK_BYTES);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the model", e);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }
}
