package seq2seq.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import seq2seq.generation.Engine;
import seq2seq.generation.ModelInfo;
import seq2seq.generation.Translation;
import seq2seq.generation.TranslationTask;
import seq2seq.generation.Translator;
import seq2seq.generation.WorkerPool;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.streams.ModelRouter;
import seq2seq.streams.ModelVersion;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The models one instance serves: their engines on one shared worker pool (so their batches compete for the same
 * workers, and the batcher decides whose runs next), each under its configured name and languages; and the versions
 * deployed later through the control topic ({@link #loadVersion}), on the same pool. Closing it closes every engine
 * still open, then the pool.
 */
public final class LoadedModels implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LoadedModels.class);

    /** the configuration the models come from */
    private final AppConfig config;
    /** the workers every engine's batches run on */
    private final WorkerPool pool;
    /** the configured models' engines, in configuration order */
    private final List<Engine> engines;
    /** the same, each under its configured name and languages */
    private final List<Translator> translators;
    /** every engine still open (configured or deployed), by the translator that serves it; guarded by itself */
    private final Map<Translator, Engine> open = new IdentityHashMap<>();

    LoadedModels(AppConfig config, WorkerPool pool, List<Engine> engines, List<Translator> translators) {
        this.config = config;
        this.pool = pool;
        this.engines = List.copyOf(engines);
        this.translators = List.copyOf(translators);
        for (int i = 0; i < engines.size(); i++) {
            open.put(translators.get(i), engines.get(i));
        }
    }

    /**
     * Loads every model the configuration names, on one pool of {@code batch.workers} workers, as many at once as the
     * pool has workers (each load is mostly ONNX Runtime's session start-up, one core's work). If one fails, the
     * others are closed once loaded and its failure is thrown (the others' failures suppressed in it).
     */
    public static LoadedModels load(AppConfig c) {
        List<AppConfig.ModelSpec> specs = c.models();
        var options = EngineLoader.options(c, specs.get(0).dtype());
        WorkerPool pool = new WorkerPool(options.workers(), "engine-worker");
        List<CompletableFuture<Engine>> loads = new ArrayList<>();
        for (AppConfig.ModelSpec spec : specs) {
            loads.add(pool.submit(() -> Engine.load(spec.dir(), EngineLoader.options(c, spec.dtype()), pool)));
        }
        List<Engine> engines = new ArrayList<>();
        Throwable failure = null;
        for (CompletableFuture<Engine> load : loads) {
            try {
                engines.add(WorkerPool.join(load));
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            engines.forEach(Engine::close);
            pool.close();
            if (failure instanceof Error err) {
                throw err;
            }
            throw (RuntimeException) failure;
        }
        List<Translator> translators = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            translators.add(engines.get(i).withModelInfo(served(engines.get(i), specs.get(i).name(), specs.get(i))));
        }
        return new LoadedModels(c, pool, engines, translators);
    }

    /** The engine's model under the served name, with the configured languages if any. */
    private static ModelInfo served(Engine e, String name, AppConfig.ModelSpec spec) {
        ModelInfo info = e.modelInfo().withName(name);
        return spec != null && spec.pairs() != null ? info.withLanguages(spec.pairs()) : info;
    }

    /**
     * Loads another version of model {@code name} from {@code dir} on the shared pool: after checking the memory has
     * room for it, then checking its content hash against {@code expectedVersion} (if not null), then translating one
     * sentence to warm it up. Throws, naming the folder or file and the reason, if any step fails; nothing stays
     * loaded then.
     */
    public ModelVersion loadVersion(String name, Path dir, String expectedVersion) {
        AppConfig.ModelSpec spec = config.models().stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
        String dtype = spec != null ? spec.dtype() : config.get(Settings.MODEL_DTYPE);
        MemoryCheck.require(dir, config.getDouble(Settings.MODELS_LOAD_HEADROOM));
        Engine e = Engine.load(dir, EngineLoader.options(config, dtype), pool);
        try {
            String version = e.modelInfo().version();
            if (expectedVersion != null && !expectedVersion.equals(version)) {
                throw new IllegalStateException("the bundle in " + dir + " has version " + version
                        + ", the deployment asks for " + expectedVersion);
            }
            long start = System.nanoTime();
            Translation warm = e.translate(List.of(TranslationTask.of("Hello."))).get(0);
            if (warm.failed()) {
                throw new IllegalStateException("the bundle in " + dir + " fails its warm-up translation: " + warm.error());
            }
            log.info("model {} version {} from {} loaded and warmed up ({} ms for one sentence)", name, version, dir,
                    (System.nanoTime() - start) / 1_000_000);
            Translator t = e.withModelInfo(served(e, name, spec));
            synchronized (open) {
                open.put(t, e);
            }
            return new ModelVersion(t);
        } catch (RuntimeException | Error ex) {
            e.close();
            throw ex;
        }
    }

    /**
     * Closes a version's engine (it is no longer served and has no batch running) and gives the native memory it
     * freed back to the operating system ({@link NativeMemory}).
     */
    public void unload(ModelVersion v) {
        Engine e;
        synchronized (open) {
            e = open.remove(v.translator());
        }
        if (e != null) {
            e.close();
            NativeMemory.release();
            log.info("model {} version {} unloaded", v.name(), v.version());
        }
    }

    /** The configured models' engines (for their bundles and options), in configuration order. */
    public List<Engine> engines() {
        return engines;
    }

    /** What the pipeline starts with: one per configured model, under the configured names. */
    public List<Translator> translators() {
        return translators;
    }

    public List<ModelInfo> infos() {
        return translators.stream().map(Translator::modelInfo).toList();
    }

    public ModelRouter router() {
        return new ModelRouter(infos(), config.defaultModel(), config.getBoolean(Settings.MODELS_STRICT_LANGUAGES));
    }

    /** The shared pool's workers. */
    public int workers() {
        return pool.workers();
    }

    @Override
    public void close() {
        List<Engine> all;
        synchronized (open) {
            all = new ArrayList<>(open.values());
            open.clear();
        }
        all.forEach(Engine::close);
        pool.close();
    }
}
