package seq2seq.service.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.TaskMetadata;
import seq2seq.generation.ModelInfo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/** The status page's data ({@code /status.json}): one JSON object built from the metrics, readiness and Kafka Streams. */
final class StatusReport {
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    /** figures recorded by the pipeline */
    private final Metrics metrics;
    /** the readiness verdict */
    private final Readiness readiness;
    /** the Kafka Streams client (null until built) */
    private final Supplier<KafkaStreams> streams;
    /** the /models document: versions, canary or shadow share and agreement, deployment errors */
    private final Supplier<String> rollout;
    /** the live chart's points */
    private final LiveSeries series;
    /** how often the chart takes a point */
    private final Duration chartInterval;
    /** when the process started, for the uptime */
    private final long startedAtMillis = System.currentTimeMillis();

    StatusReport(Metrics metrics, Readiness readiness, Supplier<KafkaStreams> streams, Supplier<String> rollout,
                 LiveSeries series, Duration chartInterval) {
        this.metrics = metrics;
        this.series = series;
        this.chartInterval = chartInterval;
        this.rollout = rollout;
        this.readiness = readiness;
        this.streams = streams;
    }

    String json() {
        try {
            return JSON.writeValueAsString(build());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the status as JSON", e);
        }
    }

    /** {@code /status/series}: the live chart's points, oldest first, the interval between them and how many are kept */
    String seriesJson() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("intervalMs", chartInterval.toMillis());
        s.put("capacity", LiveSeries.POINTS);
        s.put("points", series.points());
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the chart's points as JSON", e);
        }
    }

    Map<String, Object> build() {
        Map<String, Object> s = new LinkedHashMap<>();
        Readiness.Verdict v = readiness.check();
        s.put("ready", v.ready());
        s.put("reason", v.reason());
        KafkaStreams ks = streams.get();
        s.put("state", ks == null ? "NOT_STARTED" : ks.state().name());
        ModelInfo model = metrics.model();
        s.put("model", model == null ? null : model.name());
        s.put("modelVersion", model == null ? null : model.version());
        java.util.List<Map<String, Object>> models = new java.util.ArrayList<>();
        for (ModelInfo m : metrics.models()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", m.name());
            e.put("version", m.version());
            e.put("languages", m.languages().toString());
            e.put("default", model != null && m.name().equals(model.name()));
            e.putAll(metrics.modelFigures(m.name()));
            models.add(e);
        }
        s.put("models", models);
        try {
            s.put("rollout", JSON.readTree(rollout.get()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the /models document is not JSON", e);
        }
        s.put("uptimeSeconds", (System.currentTimeMillis() - startedAtMillis) / 1000);
        addPartitions(s, ks);
        s.put("restoring", new TreeSet<>(readiness.restoring()));
        Metrics.Snapshot m = metrics.snapshot();
        s.put("recordsIn", m.in());
        s.put("recordsOut", m.outComputed() + m.outCached());
        s.put("recordsOutCached", m.outCached());
        s.put("deadLettered", m.deadLettered());
        s.put("inPerSecond", m.inPerSecond());
        s.put("outPerSecond", m.outPerSecond());
        s.put("tokensPerSecond", m.tokensPerSecond());
        s.put("latencyMs", m.latencyMs());
        s.put("latencyCount", m.latencyCount());
        s.put("memoryHitRate", m.memoryHitRate());
        s.put("meanBatchSize", m.meanBatchSize());
        s.put("meanBatchMs", m.meanBatchMs());
        s.put("queueDepth", m.queueDepth());
        s.put("recent", m.recent());
        return s;
    }

    /** Input partitions of this instance's active tasks, and how many standby tasks it keeps. */
    private static void addPartitions(Map<String, Object> s, KafkaStreams ks) {
        TreeSet<String> active = new TreeSet<>();
        int standby = 0;
        if (ks != null && ks.state().isRunningOrRebalancing()) {
            try {
                for (ThreadMetadata t : ks.metadataForLocalThreads()) {
                    for (TaskMetadata task : t.activeTasks()) {
                        for (TopicPartition tp : task.topicPartitions()) {
                            active.add(tp.topic() + "-" + tp.partition());
                        }
                    }
                    standby += t.standbyTasks().size();
                }
            } catch (RuntimeException e) {
                // the client moved on to shutting down between the check and the call: show what was read
            }
        }
        s.put("partitions", active);
        s.put("standbyTasks", standby);
    }
}
