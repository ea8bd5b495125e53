package seq2seq.service.ops;

import org.junit.jupiter.api.Test;
import seq2seq.avro.FailureReason;
import seq2seq.avro.TranslationResult;
import seq2seq.generation.ModelInfo;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the pipeline reports shows up in the Prometheus exposition under the documented names. */
class MetricsTest {

    static TranslationResult result(String id, boolean cached, long latencyMs, int outputTokens) {
        return result(id, cached, latencyMs, outputTokens, false);
    }

    static TranslationResult result(String id, boolean cached, long latencyMs, int outputTokens, boolean truncated) {
        Instant now = Instant.now();
        return TranslationResult.newBuilder().setId(id).setText("Hallo " + id).setSourceText("Hello " + id)
                .setSourceLang("en").setTargetLang("de").setModel("tiny").setModelVersion("v1").setCached(cached)
                .setTruncated(truncated).setSegments(1).setInputTokens(3).setOutputTokens(outputTokens).setScore(null)
                .setAttributes(Map.of()).setCreatedAt(now.minusMillis(latencyMs)).setProducedAt(now).setLatencyMs(latencyMs)
                .build();
    }

    /** The value of one sample line, e.g. {@code s2s_records_in_total 3.0}. */
    static double sample(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no sample " + series + " in the scrape:\n" + scrape);
    }

    static TranslationResult resultOf(String id, String version) {
        TranslationResult r = result(id, false, 10, 3);
        r.setModelVersion(version);
        return r;
    }

    @Test
    void aCanarysShareCountsFromItsStart() {
        try (Metrics m = new Metrics(5)) {
            m.modelLoaded(new ModelInfo("tiny", "v1", 128));
            for (int i = 0; i < 50; i++) {
                m.translated(resultOf("before-" + i, "v1"));
            }
            assertNull(m.canaryShare("tiny", "v2"), "no canary yet");
            m.canaryStarted("tiny", "v2");
            Metrics.CanaryShare none = m.canaryShare("tiny", "v2");
            assertEquals(0, none.of(), "v1's 50 translations before the canary are not counted");
            // v2 answers 3 of the next 30 (10 %)
            for (int i = 0; i < 30; i++) {
                m.translated(resultOf("canary-" + i, i % 10 == 0 ? "v2" : "v1"));
            }
            Metrics.CanaryShare share = m.canaryShare("tiny", "v2");
            assertEquals(3, share.answered());
            assertEquals(30, share.of());
            assertEquals(10.0, share.percent(), 1e-9);
            assertNull(m.canaryShare("tiny", "v1"), "v1 is not the canary");
            assertNull(m.canaryShare("other", "v2"));
            // the share changes (or the canary is deployed again): counted from then
            m.canaryStarted("tiny", "v2");
            for (int i = 0; i < 4; i++) {
                m.translated(resultOf("half-" + i, i % 2 == 0 ? "v2" : "v1"));
            }
            assertEquals(50.0, m.canaryShare("tiny", "v2").percent(), 1e-9);
            String s = m.scrape();
            assertEquals(79, sample(s, "s2s_records_out_by_version_total{model=\"tiny\",version=\"v1\"}"));
            assertEquals(5, sample(s, "s2s_records_out_by_version_total{model=\"tiny\",version=\"v2\"}"));
        }
    }

    @Test
    void countersHistogramsAndInfoAppearInTheScrape() {
        try (Metrics m = new Metrics(5)) {
            m.modelLoaded(new ModelInfo("tiny", "abc123", 128));
            m.bindQueueDepth(() -> 7);
            for (int i = 0; i < 3; i++) {
                m.received();
            }
            m.memoryLookup(true);
            m.memoryLookup(false);
            m.memoryLookup(false);
            m.translated(result("a", false, 40, 5));
            m.translated(result("b", true, 2, 5));
            TranslationResult withUnknowns = result("c", false, 30, 7, true);
            withUnknowns.setUnknownSpans(List.of("你好", "😀"));
            m.translated(withUnknowns);
            m.deadLettered(FailureReason.TOO_LONG);
            m.batchDone("tiny", 1, 4, 3_000_000);
            m.queueWait("tiny", 4_000_000);
            m.queueWait("tiny", 40_000_000);
            m.backPressureWait(250_000_000);

            String s = m.scrape();
            assertEquals(3, sample(s, "s2s_records_in_total"));
            assertEquals(2, sample(s, "s2s_records_out_total{cached=\"false\",model=\"tiny\"}"));
            assertEquals(1, sample(s, "s2s_records_out_total{cached=\"true\",model=\"tiny\"}"));
            assertEquals(1, sample(s, "s2s_records_dead_lettered_total{reason=\"TOO_LONG\"}"));
            assertEquals(0, sample(s, "s2s_records_dead_lettered_total{reason=\"DESERIALIZATION\"}"));
            assertEquals(1, sample(s, "s2s_memory_lookups_total{result=\"hit\"}"));
            assertEquals(2, sample(s, "s2s_memory_lookups_total{result=\"miss\"}"));
            assertEquals(12, sample(s, "s2s_generated_tokens_total{model=\"tiny\"}"), "cached translations generate nothing");
            assertEquals(1, sample(s, "s2s_truncated_total{model=\"tiny\"}"));
            assertEquals(2, sample(s, "s2s_unknown_spans_total{model=\"tiny\"}"));
            assertEquals(3, sample(s, "s2s_latency_seconds_count{model=\"tiny\"}"));
            assertTrue(s.contains("s2s_latency_seconds_bucket{model=\"tiny\",le="), "latency is a histogram, per model:\n" + s);
            assertEquals(2, sample(s, "s2s_engine_queue_wait_seconds_count{model=\"tiny\"}"));
            assertEquals(0.044, sample(s, "s2s_engine_queue_wait_seconds_sum{model=\"tiny\"}"), 1e-9);
            assertTrue(s.contains("s2s_engine_queue_wait_seconds_bucket{model=\"tiny\",le="), "queue wait is a histogram:\n" + s);
            assertEquals(1, sample(s, "s2s_backpressure_wait_seconds_count"));
            assertEquals(0.25, sample(s, "s2s_backpressure_wait_seconds_sum"), 1e-9);
            assertTrue(s.contains("s2s_backpressure_wait_seconds_bucket{le="), "back-pressure wait is a histogram:\n" + s);
            assertEquals(1, sample(s, "s2s_batch_size_segments_count{model=\"tiny\"}"));
            assertEquals(1, sample(s, "s2s_batch_size_segments_bucket{model=\"tiny\",le=\"1.0\"}"));
            assertEquals(1, sample(s, "s2s_batch_duration_seconds_count{model=\"tiny\"}"));
            assertEquals(7, sample(s, "s2s_engine_queue_depth_segments"));
            assertEquals(1, sample(s, "s2s_model_info{model=\"tiny\",version=\"abc123\"}"));
            assertTrue(s.contains("jvm_memory_used_bytes"), "JVM metrics are bound");
            assertOnlyAggregatable(s);

            Metrics.Snapshot snap = m.snapshot();
            assertEquals(3, snap.in());
            assertEquals(1.0 / 3, snap.memoryHitRate(), 1e-9);
            assertEquals(7, snap.queueDepth());
            assertEquals(3, snap.recent().size());
            assertEquals("c", snap.recent().get(0).id(), "newest first");
            assertTrue(snap.latencyMs().containsKey("p99"));
        }
    }

    @Test
    void theLatencyTargetsDecisionsAndPredictionsAppearOnlyOnceItDecides() {
        try (Metrics m = new Metrics(5)) {
            m.modelLoaded(new ModelInfo("tiny", "abc123", 128));
            assertFalse(m.scrape().contains("s2s_batch_target"), "no target series without a target");
            m.batchTargetChosen("tiny", 12, 7_000_000, true);
            m.batchPredicted("tiny", 50_000_000);
            m.batchPredicted("tiny", 70_000_000);
            String s = m.scrape();
            assertEquals(12, sample(s, "s2s_batch_target_size_segments{model=\"tiny\"}"));
            assertEquals(0.007, sample(s, "s2s_batch_target_linger_seconds{model=\"tiny\"}"), 1e-9);
            assertEquals(0, sample(s, "s2s_batch_target_unreachable{model=\"tiny\"}"));
            assertEquals(2, sample(s, "s2s_batch_predicted_duration_seconds_count{model=\"tiny\"}"));
            assertEquals(0.12, sample(s, "s2s_batch_predicted_duration_seconds_sum{model=\"tiny\"}"), 1e-9);
            m.batchTargetChosen("tiny", 32, 20_000_000, false);
            s = m.scrape();
            assertEquals(1, sample(s, "s2s_batch_target_unreachable{model=\"tiny\"}"));
            assertEquals(32, sample(s, "s2s_batch_target_size_segments{model=\"tiny\"}"));
            assertOnlyAggregatable(s);
        }
    }

    /**
     * No series of the project's is a quantile or a rate computed in the instance: those cannot be added up across
     * instances. Prometheus computes them from the counters and histograms instead.
     */
    static void assertOnlyAggregatable(String scrape) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith("s2s_")) {
                assertFalse(line.contains("quantile"), "an in-instance quantile is exported: " + line);
                assertFalse(line.split("[{ ]")[0].matches(".*_(rate|per_second)(_.*)?"), "an in-instance rate is exported: " + line);
            }
        }
    }

    @Test
    void theRecordingRulesReadSeriesThatTheInstancesExport() throws Exception {
        String rules = java.nio.file.Files.readString(java.nio.file.Path.of("docker", "prometheus-rules.yml"));
        try (Metrics m = new Metrics(5)) {
            m.modelLoaded(new ModelInfo("tiny", "abc123", 128));
            m.memoryLookup(true);
            m.translated(result("a", false, 40, 5, true));
            m.deadLettered(FailureReason.TOO_LONG);
            m.batchDone("tiny", 1, 4, 3_000_000);
            m.queueWait("tiny", 4_000_000);
            m.backPressureWait(1_000_000);
            String scrape = m.scrape();
            java.util.regex.Matcher series = java.util.regex.Pattern.compile("\\bs2s_[a-z_]+").matcher(rules);
            int read = 0;
            while (series.find()) {
                assertTrue(scrape.contains("\n" + series.group() + "{") || scrape.contains("\n" + series.group() + " "),
                        "docker/prometheus-rules.yml reads " + series.group() + ", which no instance exports");
                read++;
            }
            assertTrue(read >= 8, "the rules read the exported series: " + read);
            for (String name : List.of("s2s_engine_queue_wait_seconds_bucket", "s2s_backpressure_wait_seconds",
                    "s2s_truncated_total", "s2s_generated_tokens_total")) {
                assertTrue(rules.contains(name), "docker/prometheus-rules.yml uses " + name);
            }
        }
    }

    @Test
    void beforeAnythingFlowsRatiosAreUnknownNotZero() {
        try (Metrics m = new Metrics(5)) {
            Metrics.Snapshot snap = m.snapshot();
            assertNull(snap.memoryHitRate());
            assertNull(snap.meanBatchSize());
            assertNull(snap.queueDepth());
            assertTrue(snap.recent().isEmpty());
        }
    }

    @Test
    void rateWindowAveragesOverTheLastSeconds() {
        AtomicLong now = new AtomicLong(1_000_000_000_000L);
        RateWindow w = new RateWindow(10, now::get);
        for (int s = 0; s < 20; s++) {
            w.add(5);
            now.addAndGet(1_000_000_000L);
        }
        assertEquals(5.0, w.perSecond(), 0.6);
        now.addAndGet(30_000_000_000L);
        assertEquals(0.0, w.perSecond(), 1e-9, "old seconds drop out");
    }

    @Test
    void recentTranslationsKeepTheNewestAndCutLongTexts() {
        RecentTranslations r = new RecentTranslations(2);
        r.add("1", "x".repeat(500), "y", 1, false, 0);
        r.add("2", "a", "b", 1, false, 0);
        r.add("3", "a", "b", 1, false, 0);
        assertEquals(2, r.newestFirst().size());
        assertEquals("3", r.newestFirst().get(0).id());
        RecentTranslations one = new RecentTranslations(1);
        one.add("1", "x".repeat(500), "y", 1, false, 0);
        assertEquals(201, one.newestFirst().get(0).source().length());
    }
}
