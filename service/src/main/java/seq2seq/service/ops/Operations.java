package seq2seq.service.ops;

import org.apache.kafka.streams.KafkaStreams;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.generation.ModelInfo;
import seq2seq.streams.PipelineEvents;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Everything an operator sees of one instance, started first (so the process is live while the model loads) and
 * told about each part as it comes up: the metrics, the readiness verdict and the HTTP endpoints that serve them.
 * <pre>
 *   Operations ops = Operations.start(config);          // /health/live answers, /health/ready says why not
 *   ops.modelLoaded(engine.modelInfo());
 *   var service = new PipelineService(config, engine, ops.events());
 *   ops.attach(service.streams(), service.batcher()::queued);   // before streams.start()
 * </pre>
 */
public final class Operations implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Operations.class);

    /** the pipeline's metrics; also its {@link PipelineEvents} */
    private final Metrics metrics;
    /** the readiness verdict */
    private final Readiness readiness = new Readiness();
    /** the HTTP endpoints */
    private final OpsServer server;
    /** the Kafka Streams client, once attached */
    private volatile KafkaStreams streams;
    /** the status page's live chart */
    private final LiveSeries series = new LiveSeries();
    /** takes the chart's readings */
    private final ScheduledExecutorService chart;

    private Operations(Metrics metrics, String bindAddress, int port, Duration chartInterval) {
        this.metrics = metrics;
        this.server = OpsServer.start(bindAddress, port, metrics, readiness, () -> streams, series, chartInterval);
        this.chart = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "status-chart");
            t.setDaemon(true);
            return t;
        });
        chart.scheduleAtFixedRate(this::takeChartReading, 0, chartInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Starts the endpoints on {@code ops.bind.address}:{@code ops.port}. */
    public static Operations start(AppConfig config) {
        Metrics metrics = new Metrics(config.getInt(Settings.OPS_RECENT));
        try {
            return new Operations(metrics, config.get(Settings.OPS_BIND_ADDRESS), config.getInt(Settings.OPS_PORT),
                    config.getMillis(Settings.OPS_CHART_INTERVAL));
        } catch (RuntimeException e) {
            metrics.close();
            throw e;
        }
    }

    private void takeChartReading() {
        try {
            series.add(LiveSeries.read(System.currentTimeMillis(), metrics.translations(), metrics.latencyHistograms()));
        } catch (RuntimeException e) {
            // a periodic task that throws is never run again: one bad reading must not end the chart
            log.warn("the status page's chart could not take a reading", e);
        }
    }

    /** What the pipeline reports to. */
    public PipelineEvents events() {
        return metrics;
    }

    /** Once per model served, the default one first. */
    public void modelLoaded(ModelInfo info) {
        metrics.modelLoaded(info);
        readiness.modelLoaded(info.name());
    }

    /**
     * Binds Kafka Streams' metrics and state, and installs the restore listener that readiness needs; call before
     * {@link KafkaStreams#start()} (Streams refuses a restore listener afterwards).
     *
     * @param queueDepth segments waiting for the engine
     */
    public void attach(KafkaStreams kafkaStreams, IntSupplier queueDepth) {
        kafkaStreams.setGlobalStateRestoreListener(readiness.restoreListener());
        metrics.bindStreams(kafkaStreams);
        metrics.bindQueueDepth(queueDepth);
        readiness.streams(kafkaStreams);
        this.streams = kafkaStreams;
    }

    /** Serves the models' versions at /models (what {@code models list --ops} prints). */
    public void attachModels(java.util.function.Supplier<String> json) {
        server.models(json);
    }

    /** From now on /health/ready answers 503 "shutting down", so the orchestrator stops routing here. */
    public void stopping() {
        readiness.stopping();
    }

    public Readiness readiness() {
        return readiness;
    }

    public Metrics metrics() {
        return metrics;
    }

    /** The port the endpoints listen on (the chosen one when {@code ops.port} is 0). */
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        chart.shutdownNow();
        server.close();
        metrics.close();
    }
}
