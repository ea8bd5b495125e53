package seq2seq.service;

import seq2seq.generation.Engine;
import seq2seq.generation.ModelInfo;
import seq2seq.generation.Translator;
import seq2seq.generation.WorkerPool;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.streams.ModelRouter;

import java.util.ArrayList;
import java.util.List;

/**
 * The models one instance serves: their engines on one shared worker pool (so their batches compete for the same
 * workers, and the batcher decides whose runs next), each under its configured name and languages. Closing it
 * closes the engines, then the pool.
 */
public final class LoadedModels implements AutoCloseable {
    /** the workers every engine's batches run on */
    private final WorkerPool pool;
    /** the engines, in configuration order */
    private final List<Engine> engines;
    /** the same, each under its configured name and languages */
    private final List<Translator> translators;
    /** which model takes requests naming neither model nor languages */
    private final String defaultModel;
    /** whether requests no model serves are dead-lettered */
    private final boolean strictLanguages;

    LoadedModels(WorkerPool pool, List<Engine> engines, List<Translator> translators, String defaultModel,
                 boolean strictLanguages) {
        this.pool = pool;
        this.engines = List.copyOf(engines);
        this.translators = List.copyOf(translators);
        this.defaultModel = defaultModel;
        this.strictLanguages = strictLanguages;
    }

    /** Loads every model the configuration names, on one pool of {@code batch.workers} workers. */
    public static LoadedModels load(AppConfig c) {
        List<AppConfig.ModelSpec> specs = c.models();
        var options = EngineLoader.options(c, specs.get(0).dtype());
        WorkerPool pool = new WorkerPool(options.workers(), "engine-worker");
        List<Engine> engines = new ArrayList<>();
        List<Translator> translators = new ArrayList<>();
        try {
            for (AppConfig.ModelSpec spec : specs) {
                Engine e = Engine.load(spec.dir(), EngineLoader.options(c, spec.dtype()), pool);
                engines.add(e);
                ModelInfo info = e.modelInfo().withName(spec.name());
                if (spec.pairs() != null) {
                    info = info.withLanguages(spec.pairs());
                }
                translators.add(e.withModelInfo(info));
            }
        } catch (RuntimeException | Error e) {
            engines.forEach(Engine::close);
            pool.close();
            throw e;
        }
        return new LoadedModels(pool, engines, translators, c.defaultModel(), c.getBoolean(Settings.MODELS_STRICT_LANGUAGES));
    }

    /** The engines (for their bundles and options), in configuration order. */
    public List<Engine> engines() {
        return engines;
    }

    /** What the pipeline translates with: one per model, under the configured names. */
    public List<Translator> translators() {
        return translators;
    }

    public List<ModelInfo> infos() {
        return translators.stream().map(Translator::modelInfo).toList();
    }

    public ModelRouter router() {
        return new ModelRouter(infos(), defaultModel, strictLanguages);
    }

    /** The shared pool's workers. */
    public int workers() {
        return pool.workers();
    }

    @Override
    public void close() {
        engines.forEach(Engine::close);
        pool.close();
    }
}
