package seq2seq.service;

import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.model.Dtype;


import java.nio.file.Path;

/**
 * Loads the engine the configuration names (one model; {@link LoadedModels} loads every configured model), with the batch caps the pipeline uses and its one worker pool sized by
 * {@code batch.workers} (one ONNX Runtime thread per operator each, by default).
 */
public final class EngineLoader {
    private EngineLoader() {
    }

    public static Engine load(AppConfig c) {
        return load(Path.of(c.get(Settings.MODEL_DIR)), c);
    }

    public static Engine load(Path dir, AppConfig c) {
        return Engine.load(dir, options(c, c.get(Settings.MODEL_DTYPE)));
    }

    /** The engine options the configuration gives a model with these weights. */
    static EngineOptions options(AppConfig c, String dtype) {
        return EngineOptions.defaults().toBuilder().dtype(Dtype.parse(dtype))
                .workersOnCores(c.getInt(Settings.BATCH_WORKERS), c.getInt(Settings.ENGINE_THREADS))
                .maxBatchSize(c.getInt(Settings.BATCH_SIZE)).cpuArena(c.getBoolean(Settings.ENGINE_CPU_ARENA)).build();
    }
}
