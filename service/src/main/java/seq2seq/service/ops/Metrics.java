package seq2seq.service.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.ModelInfo;
import seq2seq.streams.PipelineEvents;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The pipeline's metrics in a Micrometer Prometheus registry (served at {@code /metrics}), plus the few live
 * figures the status page shows. Thread-safe: stream threads and the batcher's thread report here.
 * <p>
 * Only counters, histograms and current-state gauges are exported: they add up across instances, so Prometheus
 * computes rates and quantiles of the whole group ({@code docker/prometheus-rules.yml}). A quantile or a rate
 * computed inside one instance cannot be combined with another's, so the status page's percentiles and rates are
 * computed here for that page only and never exported.
 * <p>
 * The series of one model's work carry a {@code model} label: records out, latency, generated tokens, truncations,
 * queue wait, batch size, tokens and duration. The status page's overall figures add the models up.
 * <p>
 * Longer than most classes, on purpose: every exported series is declared here, names, labels and buckets in one
 * file to be read against docs/operations.md and {@code docker/prometheus-rules.yml}; the status page's snapshot and
 * the rollout's canary and shadow tallies read those same meters rather than keeping counts of their own.
 */
public final class Metrics implements PipelineEvents, AutoCloseable {
    /**
     * how often Kafka's metrics are looked through for new ones: a task's and its stores' metrics are created when its
     * partitions are assigned, after the binding, and Micrometer's default interval (a minute) leaves them out that long
     */
    static final Duration KAFKA_METRICS_REFRESH = Duration.ofSeconds(10);

    /** seconds over which the status page's rates are averaged */
    static final int RATE_WINDOW_SECONDS = 10;
    /** the latency percentiles the status page shows */
    static final double[] PERCENTILES = {0.5, 0.95, 0.99};

    /** what /metrics serves */
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** requests read from the input topic */
    private final Counter in;
    /** each model's series, by model name */
    private final Map<String, PerModel> perModel = new java.util.concurrent.ConcurrentHashMap<>();
    /** each version's translations, and a canary's share of them */
    private final CanaryShares canaryShares = new CanaryShares(registry);
    /** each model's latency-target series, by model name; none without batch.latency.target.ms */
    private final Map<String, TargetSeries> targets = new java.util.concurrent.ConcurrentHashMap<>();
    /** the overall figures the status page shows (not exported: /metrics has them per model) */
    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry local = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    /** translations forwarded, computed by the engine (all models) */
    private final Counter outComputed;
    /** translations forwarded, answered from the translation memory (all models) */
    private final Counter outCached;
    /** dead letters by reason (all reasons registered up front, so a zero is visible) */
    private final Map<FailureReason, Counter> deadLetters = new EnumMap<>(FailureReason.class);
    /** translation-memory look-ups per segment */
    private final Counter memoryHits;
    private final Counter memoryMisses;
    /** segments per engine batch (all models) */
    private final DistributionSummary batchSize;
    /** engine time per batch (all models) */
    private final Timer batchTime;
    /** time a partition waited for results with a full buffer (back-pressure) */
    private final Timer backPressure;
    /** end-to-end latency: request's created_at to the translation's forwarding (all models) */
    private final Timer latency;
    /** rates for the status page */
    private final RateWindow inRate = new RateWindow(RATE_WINDOW_SECONDS, System::nanoTime);
    private final RateWindow outRate = new RateWindow(RATE_WINDOW_SECONDS, System::nanoTime);
    private final RateWindow tokenRate = new RateWindow(RATE_WINDOW_SECONDS, System::nanoTime);
    /** the last few translations for the status page */
    private final RecentTranslations recent;
    /** Kafka Streams' and its clients' own metrics, once bound */
    private KafkaStreamsMetrics streamsMetrics;
    /** looks for new Kafka metrics, once bound */
    private java.util.concurrent.ScheduledExecutorService streamsMetricsRefresh;
    /** garbage collections (closed with the registry) */
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    /** the loaded models, in the order they were loaded (the first is the default) */
    private final List<ModelInfo> models = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** the engine's queue, once bound */
    private volatile IntSupplier queueDepth;

    /** @param recentCount how many recent translations the status page shows */
    public Metrics(int recentCount) {
        this.recent = new RecentTranslations(recentCount);
        in = Counter.builder("s2s.records.in").description("requests read from the input topic").register(registry);
        outComputed = local.counter("out.computed");
        outCached = local.counter("out.cached");
        for (FailureReason r : FailureReason.values()) {
            deadLetters.put(r, Counter.builder("s2s.records.dead.lettered").tag("reason", r.name())
                    .description("input records sent to the dead-letter topic, by reason").register(registry));
        }
        memoryHits = memoryCounter("hit");
        memoryMisses = memoryCounter("miss");
        batchSize = local.summary("batch.size");
        batchTime = local.timer("batch.duration");
        latency = Timer.builder("s2s.latency").publishPercentiles(PERCENTILES)
                .distributionStatisticExpiry(Duration.ofMinutes(1)).register(local);
        backPressure = Timer.builder("s2s.backpressure.wait")
                .description("time a partition with batch.max.pending buffered requests waited for results, per wait")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
    }

    /** One model's series (all with its {@code model} label). */
    private final class PerModel {
        final Counter outComputed;
        final Counter outCached;
        final DistributionSummary batchSize;
        final DistributionSummary batchTokens;
        final Timer batchTime;
        final Timer latency;
        final Counter generatedTokens;
        final Counter truncated;
        final Counter unknownSpans;
        final Timer queueWait;

        PerModel(String model) {
            outComputed = outCounter(model, "false");
            outCached = outCounter(model, "true");
            batchSize = DistributionSummary.builder("s2s.batch.size").baseUnit("segments").tag("model", model)
                    .description("segments per engine batch")
                    .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512).register(registry);
            batchTokens = DistributionSummary.builder("s2s.batch.tokens").baseUnit("tokens").tag("model", model)
                    .description("estimated source tokens per engine batch")
                    .serviceLevelObjectives(16, 64, 256, 1024, 4096, 16384).register(registry);
            batchTime = Timer.builder("s2s.batch.duration").description("engine time per batch").tag("model", model)
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
            latency = Timer.builder("s2s.latency").description("end-to-end latency from the request's created_at to the translation's forwarding")
                    .tag("model", model).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5)).register(registry);
            generatedTokens = Counter.builder("s2s.generated.tokens").baseUnit("tokens").tag("model", model)
                    .description("tokens generated by the engine (translations from memory generate none)").register(registry);
            truncated = Counter.builder("s2s.truncated").tag("model", model)
                    .description("translations whose source was cut at the model's maximum input length").register(registry);
            unknownSpans = Counter.builder("s2s.unknown.spans").tag("model", model)
                    .description("stretches of source text the model could not read (emoji, other scripts), in translations forwarded").register(registry);
            queueWait = Timer.builder("s2s.engine.queue.wait").tag("model", model)
                    .description("time a segment waited in the batcher's queue before its engine batch started")
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofMinutes(1)).register(registry);
        }

        private Counter outCounter(String model, String cached) {
            return Counter.builder("s2s.records.out").tag("cached", cached).tag("model", model)
                    .description("translations forwarded to the output topic").register(registry);
        }
    }

    /**
     * One model's latency-target decisions (gauges: what it does now) and predictions (a timer, beside the measured
     * {@code s2s.batch.duration}); registered with the first decision, so an instance without a target has none.
     */
    private final class TargetSeries {
        final java.util.concurrent.atomic.AtomicLong maxSegments = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong lingerNanos = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong unreachable = new java.util.concurrent.atomic.AtomicLong();
        final Timer predicted;

        TargetSeries(String model) {
            Gauge.builder("s2s.batch.target.size", maxSegments, java.util.concurrent.atomic.AtomicLong::get)
                    .baseUnit("segments").tag("model", model)
                    .description("the largest batch the latency target lets the batcher cut now").register(registry);
            Gauge.builder("s2s.batch.target.linger", lingerNanos, n -> n.get() / 1e9).baseUnit("seconds").tag("model", model)
                    .description("how long the latency target lets a partition hold segments before handing them over")
                    .register(registry);
            Gauge.builder("s2s.batch.target.unreachable", unreachable, java.util.concurrent.atomic.AtomicLong::get)
                    .tag("model", model)
                    .description("1 while batch.latency.target.ms cannot be met; the batcher then serves full batches")
                    .register(registry);
            predicted = Timer.builder("s2s.batch.predicted.duration").tag("model", model)
                    .description("engine time per batch as the latency target predicted it (compare s2s.batch.duration)")
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        }
    }

    private TargetSeries targetOf(String model) {
        return targets.computeIfAbsent(model == null ? "unknown" : model, TargetSeries::new);
    }

    private PerModel of(String model) {
        return perModel.computeIfAbsent(model == null ? "unknown" : model, PerModel::new);
    }

    private Counter memoryCounter(String result) {
        return Counter.builder("s2s.memory.lookups").tag("result", result)
                .description("translation-memory look-ups per segment").register(registry);
    }

    // --- PipelineEvents ---

    @Override
    public void received() {
        in.increment();
        inRate.add(1);
    }

    @Override
    public void translated(TranslationResult result) {
        PerModel m = of(result.getModel());
        (result.getCached() ? m.outCached : m.outComputed).increment();
        canaryShares.translated(result.getModel() == null ? "unknown" : result.getModel(),
                result.getModelVersion() == null ? "unknown" : result.getModelVersion());
        (result.getCached() ? outCached : outComputed).increment();
        outRate.add(1);
        long latencyMs = Math.max(0, result.getLatencyMs());
        m.latency.record(latencyMs, TimeUnit.MILLISECONDS);
        latency.record(latencyMs, TimeUnit.MILLISECONDS);
        if (!result.getCached()) {
            m.generatedTokens.increment(result.getOutputTokens());
            tokenRate.add(result.getOutputTokens());
        }
        if (result.getTruncated()) {
            m.truncated.increment();
        }
        m.unknownSpans.increment(result.getUnknownSpans().size());
        recent.add(result.getId(), result.getSourceText(), result.getText(), latencyMs, result.getCached(), System.currentTimeMillis());
    }

    @Override
    public void deadLettered(FailureReason reason) {
        deadLetters.get(reason).increment();
    }

    @Override
    public void memoryLookup(boolean hit) {
        (hit ? memoryHits : memoryMisses).increment();
    }

    @Override
    public void batchDone(String model, int segments, int estimatedTokens, long nanos) {
        PerModel m = of(model);
        m.batchSize.record(segments);
        m.batchTokens.record(estimatedTokens);
        m.batchTime.record(nanos, TimeUnit.NANOSECONDS);
        batchSize.record(segments);
        batchTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void batchTargetChosen(String model, int maxSegments, long lingerNanos, boolean reachable) {
        TargetSeries t = targetOf(model);
        t.maxSegments.set(maxSegments);
        t.lingerNanos.set(lingerNanos);
        t.unreachable.set(reachable ? 0 : 1);
    }

    @Override
    public void batchPredicted(String model, long nanos) {
        targetOf(model).predicted.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void queueWait(String model, long nanos) {
        of(model).queueWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shadowCompared(String model, String shadowVersion, boolean exact, double chrf) {
        Counter.builder("s2s.shadow.segments").tag("model", model).tag("shadow_version", shadowVersion)
                .tag("agree", String.valueOf(exact))
                .description("segments a shadow version translated again, by whether it agreed exactly with the serving version")
                .register(registry).increment();
        DistributionSummary.builder("s2s.shadow.chrf").tag("model", model)
                .tag("shadow_version", shadowVersion)
                .description("chrF of the shadow version's output against the serving version's, per segment")
                .register(registry).record(chrf);
    }

    /**
     * How a shadow version agreed with the serving one so far: segments compared, the share that matched exactly and
     * the mean chrF; null before its first comparison.
     */
    public ShadowAgreement shadowAgreement(String model, String shadowVersion) {
        Counter same = registry.find("s2s.shadow.segments").tags("model", model, "shadow_version", shadowVersion,
                "agree", "true").counter();
        Counter differ = registry.find("s2s.shadow.segments").tags("model", model, "shadow_version", shadowVersion,
                "agree", "false").counter();
        DistributionSummary chrf = registry.find("s2s.shadow.chrf").tags("model", model, "shadow_version", shadowVersion)
                .summary();
        if (chrf == null || chrf.count() == 0) {
            return null;
        }
        double agreed = same == null ? 0 : same.count();
        double segments = agreed + (differ == null ? 0 : differ.count());
        return new ShadowAgreement((long) segments, agreed / segments, chrf.mean());
    }

    @Override
    public void canaryStarted(String model, String version) {
        canaryShares.started(model, version);
    }

    /**
     * The share of a model's translations that its canary {@code version} produced since it started (or its percent
     * last changed); null when that is not the model's canary.
     */
    public CanaryShare canaryShare(String model, String version) {
        return canaryShares.share(model, version);
    }

    /**
     * @param answered translations the version produced
     * @param of       translations of its model over the same time, by any version
     */
    public record CanaryShare(long answered, long of) {
        public double percent() {
            return of == 0 ? 0 : 100.0 * answered / of;
        }
    }

    /**
     * @param segments  segments translated by both versions
     * @param exactRate share of them with the same output
     * @param meanChrf  mean sentence chrF of the shadow output against the serving one
     */
    public record ShadowAgreement(long segments, double exactRate, double meanChrf) {
    }

    @Override
    public void backPressureWait(long nanos) {
        backPressure.record(nanos, TimeUnit.NANOSECONDS);
    }

    // --- what the app binds once it has it ---

    /**
     * The info metric {@code s2s_model_info{model,version} 1}, and the model's series at zero; once per model served
     * (the first is the default).
     */
    public void modelLoaded(ModelInfo info) {
        models.add(info);
        Gauge.builder("s2s.model.info", () -> 1).tag("model", info.name()).tag("version", info.version())
                .description("a loaded model (value is always 1)").register(registry);
        of(info.name());
    }

    /** Segments waiting for the engine (the shared batcher's queue). */
    public void bindQueueDepth(IntSupplier queued) {
        this.queueDepth = queued;
        Gauge.builder("s2s.engine.queue.depth", queued, q -> q.getAsInt()).baseUnit("segments")
                .description("segments waiting for the engine").register(registry);
    }

    /** Kafka Streams' and its clients' metrics, and its state as a gauge. */
    public synchronized void bindStreams(KafkaStreams streams) {
        streamsMetricsRefresh = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafka-metrics-refresh");
            t.setDaemon(true);
            return t;
        });
        streamsMetrics = new KafkaStreamsMetrics(streams, List.of(), streamsMetricsRefresh, KAFKA_METRICS_REFRESH);
        streamsMetrics.bindTo(registry);
        Gauge.builder("s2s.streams.running", streams, s -> s.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 while Kafka Streams is RUNNING").register(registry);
    }

    // --- reading ---

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The first model loaded (the default one), or null. */
    public ModelInfo model() {
        return models.isEmpty() ? null : models.get(0);
    }

    /** Every model loaded, in order. */
    public List<ModelInfo> models() {
        return List.copyOf(models);
    }

    /** translations forwarded since the start, all models */
    long translations() {
        return (long) (outComputed.count() + outCached.count());
    }

    /** each model's end-to-end latency histogram (what /metrics exports as {@code s2s_latency_seconds}) */
    List<Timer> latencyHistograms() {
        return perModel.values().stream().map(m -> m.latency).toList();
    }

    /** One model's figures for the status page: translations out (computed, cached), batches and their mean time. */
    Map<String, Object> modelFigures(String model) {
        PerModel m = perModel.get(model);
        Map<String, Object> f = new java.util.LinkedHashMap<>();
        f.put("recordsOut", m == null ? 0 : (long) (m.outComputed.count() + m.outCached.count()));
        f.put("recordsOutCached", m == null ? 0 : (long) m.outCached.count());
        f.put("batches", m == null ? 0 : m.batchTime.count());
        f.put("meanBatchMs", m == null || m.batchTime.count() == 0 ? null : m.batchTime.mean(TimeUnit.MILLISECONDS));
        return f;
    }

    /** Figures for the status page, read at one moment. */
    Snapshot snapshot() {
        Map<String, Double> percentiles = new java.util.LinkedHashMap<>();
        for (ValueAtPercentile v : latency.count() == 0 ? new ValueAtPercentile[0] : latency.takeSnapshot().percentileValues()) {
            percentiles.put(String.format(Locale.ROOT, "p%d", Math.round(v.percentile() * 100)), v.value(TimeUnit.MILLISECONDS));
        }
        Map<String, Long> dead = new java.util.TreeMap<>();
        deadLetters.forEach((r, c) -> {
            if (c.count() > 0) {
                dead.put(r.name(), (long) c.count());
            }
        });
        IntSupplier queue = queueDepth;
        long hits = (long) memoryHits.count();
        long lookups = hits + (long) memoryMisses.count();
        return new Snapshot((long) in.count(), (long) outComputed.count(), (long) outCached.count(), dead,
                inRate.perSecond(), outRate.perSecond(), tokenRate.perSecond(), percentiles, latency.count(),
                lookups == 0 ? null : hits / (double) lookups, batchSize.count() == 0 ? null : batchSize.mean(),
                batchTime.count() == 0 ? null : batchTime.mean(TimeUnit.MILLISECONDS),
                queue == null ? null : queue.getAsInt(), recent.newestFirst());
    }

    /**
     * @param in               requests read
     * @param outComputed      translations computed by the engine
     * @param outCached        translations answered from memory
     * @param deadLettered     dead letters by reason (non-zero only)
     * @param inPerSecond      requests read per second (last {@value #RATE_WINDOW_SECONDS} s)
     * @param outPerSecond     translations forwarded per second (same window)
     * @param tokensPerSecond  tokens generated per second (same window)
     * @param latencyMs        end-to-end latency percentiles over the last minute, by name (p50, p95, p99)
     * @param latencyCount     latencies recorded
     * @param memoryHitRate    share of memory look-ups that hit (null before the first)
     * @param meanBatchSize    mean segments per batch (null before the first)
     * @param meanBatchMs      mean engine time per batch (null before the first)
     * @param queueDepth       segments waiting for the engine (null before it is bound)
     * @param recent           the last few translations, newest first
     */
    record Snapshot(long in, long outComputed, long outCached, Map<String, Long> deadLettered, double inPerSecond,
                    double outPerSecond, double tokensPerSecond, Map<String, Double> latencyMs, long latencyCount,
                    Double memoryHitRate, Double meanBatchSize, Double meanBatchMs, Integer queueDepth, List<RecentTranslations.Entry> recent) {
    }

    @Override
    public synchronized void close() {
        if (streamsMetrics != null) {
            streamsMetrics.close();
            streamsMetricsRefresh.shutdownNow();
        }
        gcMetrics.close();
        registry.close();
        local.close();
    }
}
