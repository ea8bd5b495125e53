package seq2seq.service;

import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.Translator;
import seq2seq.streams.Batcher;
import seq2seq.streams.DeadLetterHandler;
import seq2seq.streams.LatencyTarget;
import seq2seq.streams.ModelFleet;
import seq2seq.streams.ModelRouter;
import seq2seq.streams.ModelVersion;
import seq2seq.streams.PipelineEvents;
import seq2seq.streams.PipelineSettings;
import seq2seq.streams.RequestTracer;
import seq2seq.streams.SerdeFactory;
import seq2seq.streams.TranslationTopology;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * One running instance of the pipeline: the shared batcher over the engine, the topology and its Kafka Streams
 * client. {@code run} and {@code demo} start one; tests start several against one broker.
 *
 * <h2>Kafka settings that matter here</h2>
 * <ul>
 *   <li>{@code processing.guarantee=exactly_once_v2} (default): the batch buffer, the memory, the outputs, the dead
 *       letters and the input offsets commit in one transaction per commit.</li>
 *   <li>{@code commit.interval.ms} (100 under exactly-once): outputs become visible to {@code read_committed}
 *       readers at each commit, so it adds up to that much latency; shorter means more transactions.</li>
 *   <li>{@code transaction.timeout.ms} (Streams sets 10 s under exactly-once): the engine runs on the batcher's
 *       thread, not inside a transaction; only a back-pressure wait ({@code batch.max.block.ms}) does, and the
 *       configuration refuses a wait longer than half the timeout.</li>
 *   <li>{@code max.poll.interval.ms} (300 s): a stream thread blocks at most one back-pressure wait, or a wait for
 *       an unreachable registry ({@code registry.unavailable.wait.ms}, 120 s), inside it, so neither a slow model nor
 *       a registry outage gets the instance thrown out of the group.</li>
 *   <li>{@code num.stream.threads}: all threads share one engine, which uses the cores itself; one or two threads
 *       suffice. Scale out with more instances (and at least as many input partitions).</li>
 *   <li>{@code num.standby.replicas}: with 1, another instance keeps a warm copy of each partition's memory and
 *       buffer, so a fail-over does not replay the changelogs first.</li>
 *   <li>{@code poll.ms} (10 here, 100 in Kafka): when input is idle, results are picked up at the next wake-up.</li>
 * </ul>
 */
public final class PipelineService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PipelineService.class);

    /** the configuration it was started with */
    private final AppConfig config;
    /** shared by all stream threads */
    private final Batcher batcher;
    /** the Kafka Streams client */
    private final KafkaStreams streams;
    /** the topology it runs */
    private final Topology topology;
    /** which model version translates a request */
    private final ModelFleet fleet;
    /** closes the engines of retired versions, off the stream and engine threads */
    private final ExecutorService unloader;

    /**
     * Builds (does not start) an instance serving one model. The translator is not closed by {@link #close()}: its
     * owner closes it.
     */
    public PipelineService(AppConfig config, Translator translator, PipelineEvents events) {
        this(config, List.of(translator), events);
    }

    /**
     * Builds (does not start) an instance serving every model the configuration loaded; versions deployed later
     * and retired are unloaded through {@code models}.
     */
    public PipelineService(AppConfig config, LoadedModels models, PipelineEvents events) {
        this(config, models, events, RequestTracer.OFF);
    }

    /** {@link #PipelineService(AppConfig, LoadedModels, PipelineEvents)} whose requests {@code tracer} traces. */
    public PipelineService(AppConfig config, LoadedModels models, PipelineEvents events, RequestTracer tracer) {
        this(config, models.translators(), events, tracer, models::unload);
    }

    /**
     * Builds (does not start) an instance serving several models, one translator each (they should share one worker
     * pool: see {@link LoadedModels}); the default is {@code models.default}, else the first. The translators are not
     * closed by {@link #close()}: their owner closes them.
     */
    public PipelineService(AppConfig config, List<? extends Translator> translators, PipelineEvents events) {
        this(config, translators, events, RequestTracer.OFF);
    }

    /** {@link #PipelineService(AppConfig, List, PipelineEvents)} whose requests {@code tracer} traces. */
    public PipelineService(AppConfig config, List<? extends Translator> translators, PipelineEvents events,
                           RequestTracer tracer) {
        this(config, translators, events, tracer, v -> { });
    }

    private PipelineService(AppConfig config, List<? extends Translator> translators, PipelineEvents events,
                            RequestTracer tracer, Consumer<ModelVersion> unload) {
        this.config = config;
        PipelineSettings settings = config.pipeline();
        String serdeClass = config.get(Settings.SERDE_CLASS);
        var serdeConfig = config.serdes();
        List<seq2seq.generation.ModelInfo> infos = translators.stream().map(Translator::modelInfo).toList();
        String defaultModel = config.get(Settings.MODELS_DEFAULT) != null ? config.get(Settings.MODELS_DEFAULT).strip()
                : infos.get(0).name();
        ModelRouter router = new ModelRouter(infos, defaultModel, config.getBoolean(Settings.MODELS_STRICT_LANGUAGES));
        this.batcher = new Batcher(translators, settings.batchMaxSize(), settings.batchMaxTokens(), events,
                latencyTarget(config, settings, events));
        this.unloader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "model-unloader");
            t.setDaemon(true);
            return t;
        });
        this.fleet = new ModelFleet(batcher, router, events, v -> unloader.execute(() -> unload.accept(v)));
        this.topology = TranslationTopology.build(settings, fleet,
                SerdeFactory.create(serdeClass, TranslationRequest.class, serdeConfig),
                SerdeFactory.create(serdeClass, TranslationResult.class, serdeConfig),
                SerdeFactory.create(serdeClass, TranslationFailure.class, serdeConfig), events, tracer);
        Properties props = new Properties();
        props.putAll(config.kafkaStreams());
        props.put(DeadLetterHandler.EVENTS_CONFIG, events);
        this.streams = new KafkaStreams(topology, props);
        this.streams.setUncaughtExceptionHandler(e -> {
            log.error("a stream thread failed; replacing it (its tasks restart from the last commit)", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    /**
     * The controller of {@code batch.latency.target.ms}, or null when it is off. Under exactly-once a result becomes
     * readable only at the commit after it is forwarded, and it is forwarded at the tick after its batch: that much of
     * the target is spent outside the batcher.
     */
    private static LatencyTarget latencyTarget(AppConfig config, PipelineSettings settings, PipelineEvents events) {
        if (!settings.hasLatencyTarget()) {
            return null;
        }
        Duration outside = settings.tick();
        if (config.get(Settings.PROCESSING_GUARANTEE).strip().equals("exactly_once_v2")) {
            outside = outside.plus(config.getMillis(Settings.COMMIT_INTERVAL));
        }
        return new LatencyTarget(settings, outside, events);
    }

    public PipelineService start() {
        log.info("starting: {} -> {} | {} (application id {}, {})", config.pipeline().requestsTopic(),
                config.pipeline().translationsTopic(), config.pipeline().failuresTopic(), config.get(Settings.APPLICATION_ID),
                config.get(Settings.PROCESSING_GUARANTEE));
        streams.start();
        return this;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public Topology topology() {
        return topology;
    }

    public Batcher batcher() {
        return batcher;
    }

    /** Who routes requests by model name and language, now. */
    public ModelRouter router() {
        return fleet.router();
    }

    /** The models' versions: what {@code models deploy} changes while running. */
    public ModelFleet fleet() {
        return fleet;
    }

    public AppConfig config() {
        return config;
    }

    /** Stops Kafka Streams cleanly (commits what is done; buffered requests stay in the changelog), then the batcher. */
    public void close(Duration timeout) {
        streams.close(timeout);
        batcher.close();
        unloader.shutdown();
    }

    /**
     * Stops like {@link #close(Duration)} but also leaves the consumer group, so the other instances take the
     * partitions over at once instead of after the session timeout (a graceful stop: scale-down, rolling restart).
     *
     * @return false if Kafka Streams did not finish closing in time
     */
    public boolean closeAndLeaveGroup(Duration timeout) {
        boolean closed = streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(timeout));
        batcher.close();
        unloader.shutdown();
        return closed;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
