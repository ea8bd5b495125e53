package seq2seq.app;

import seq2seq.app.config.AppConfig;
import seq2seq.app.config.Settings;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;
import seq2seq.model.Dtype;

import java.nio.file.Path;

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
        return Engine.load(dir, o);
    }
}
