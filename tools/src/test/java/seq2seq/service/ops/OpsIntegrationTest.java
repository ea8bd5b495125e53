package seq2seq.service.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import seq2seq.generation.Engine;
import seq2seq.generation.EngineOptions;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static seq2seq.service.ops.MetricsTest.sample;

/**
 * The operations endpoints of real pipeline instances (tiny model, in-process broker and registry): metrics move as
 * records flow, readiness follows Kafka Streams through a rebalance (ready throughout, not running while it
 * rebalances), and the status page shows live figures and its chart in Chromium.
 */
@Timeout(300)
class OpsIntegrationTest {
    private static final int PARTITIONS = 4;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static TestCluster cluster;
    private static Engine engine;

    @BeforeAll
    static void loadEngine() {
        engine = Engine.load(TestCluster.TINY, EngineOptions.defaults());
    }

    /** A fresh cluster per test: each test reads absolute counters of an instance on topics nobody else fed. */
    @org.junit.jupiter.api.BeforeEach
    void startCluster() {
        cluster = TestCluster.start(PARTITIONS);
    }

    @org.junit.jupiter.api.AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    /** {@code n} different short sentences, starting at {@code from}. */
    static List<String> sentences(int from, int n) {
        String[] subjects = {"The cat", "My neighbour", "A small dog", "The old man", "Our teacher", "The train", "She", "The window"};
        String[] verbs = {"sees", "likes", "opens", "finds", "carries", "waits for", "paints", "forgets"};
        String[] objects = {"the door", "a red book", "the garden", "his coffee", "the letter", "the station", "a green hat", "the key"};
        List<String> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            out.add(subjects[i % 8] + " " + verbs[(i / 8) % 8] + " " + objects[(i / 64) % 8] + ".");
        }
        return out;
    }

    static String get(TestInstance i, String path, int expectedStatus) throws Exception {
        HttpResponse<String> r = OpsServerTest.get(i.ops.port(), path);
        assertEquals(expectedStatus, r.statusCode(), path + " answered " + r.statusCode() + ": " + r.body());
        return r.body();
    }

    /** Waits until the instance is RUNNING with its state restored ({@code /health/running}). */
    static void awaitReady(TestInstance i) throws Exception {
        TestCluster.await("/health/running to answer 200", WAIT, () -> OpsServerTest.get(i.ops.port(), "/health/running").statusCode() == 200);
    }

    static double sum(String scrape, String prefix) {
        double total = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith(prefix)) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    @Test
    void metricsMoveWhileRecordsFlowThroughTheBroker() throws Exception {
        List<ConsumerRecord<String, byte[]>> outputs = new ArrayList<>();
        // DEBUG: the state stores' metrics too, as docs/pipeline.md says
        try (TestInstance a = new TestInstance(cluster.instance("ops-metrics", Map.of("kafka.metrics.recording.level", "DEBUG")), engine);
             KafkaConsumer<String, byte[]> reader = cluster.outputReader()) {
            awaitReady(a);
            String before = get(a, "/metrics", 200);
            assertEquals(0, sample(before, "s2s_records_in_total"));
            assertEquals(0, sample(before, "s2s_latency_seconds_count{model=\"tiny\"}"), "the model's series start at zero");

            // 50 new sentences; once translated, the same 50 three times (memory hits), then one text over the cap
            List<String> round = sentences(0, 50);
            cluster.produce(round, true);
            TestCluster.readUntil(reader, outputs, o -> o.size() >= 50, WAIT);
            List<Double> seenIn = new CopyOnWriteArrayList<>();
            Thread producer = new Thread(() -> {
                for (int r = 0; r < 3; r++) {
                    cluster.produce(round, true);
                    sleep(400);
                }
                cluster.produce(List.of("word ".repeat(2_100)));
            });
            producer.start();
            while (producer.isAlive()) {
                seenIn.add(sample(get(a, "/metrics", 200), "s2s_records_in_total"));
                sleep(50);
            }
            TestCluster.readUntil(reader, outputs, o -> o.size() >= 201, WAIT);

            String after = get(a, "/metrics", 200);
            for (int i = 1; i < seenIn.size(); i++) {
                assertTrue(seenIn.get(i) >= seenIn.get(i - 1), "counters never go back: " + seenIn);
            }
            assertTrue(seenIn.stream().anyMatch(v -> v > 50 && v < 201), "scraped while records flowed: " + seenIn);
            assertEquals(201, sample(after, "s2s_records_in_total"));
            assertEquals(50, sample(after, "s2s_records_out_total{cached=\"false\",model=\"tiny\"}"));
            assertEquals(150, sample(after, "s2s_records_out_total{cached=\"true\",model=\"tiny\"}"), "repeats are answered from memory");
            assertEquals(1, sample(after, "s2s_records_dead_lettered_total{reason=\"TOO_LONG\"}"));
            assertEquals(150, sample(after, "s2s_memory_lookups_total{result=\"hit\"}"));
            assertEquals(50, sample(after, "s2s_memory_lookups_total{result=\"miss\"}"));
            assertEquals(200, sample(after, "s2s_latency_seconds_count{model=\"tiny\"}"));
            assertEquals(200, sample(after, "s2s_latency_seconds_bucket{model=\"tiny\",le=\"+Inf\"}"));
            assertTrue(sample(after, "s2s_engine_queue_wait_seconds_count{model=\"tiny\"}") >= 50, "every computed segment waited in the queue");
            MetricsTest.assertOnlyAggregatable(after);
            assertTrue(sample(after, "s2s_batch_size_segments_count{model=\"tiny\"}") > 0);
            assertTrue(sample(after, "s2s_batch_duration_seconds_count{model=\"tiny\"}") > 0);
            assertTrue(sample(after, "s2s_generated_tokens_total{model=\"tiny\"}") > 0);
            assertEquals(1, sample(after, "s2s_model_info{model=\"" + engine.modelInfo().name() + "\",version=\""
                    + engine.modelInfo().version() + "\"}"));
            assertEquals(1, sample(after, "s2s_streams_running"));
            for (String family : List.of("kafka_stream_thread_", "kafka_consumer_", "kafka_producer_")) {
                assertTrue(after.contains("\n" + family), "Kafka's own metrics are bound: no " + family + "*");
            }
            // created with the tasks, after the binding: they appear at the next look for new metrics
            TestCluster.await("the state stores' metrics (recording level DEBUG)", Duration.ofSeconds(30), () -> {
                String scrape = get(a, "/metrics", 200);
                return scrape.contains("\nkafka_stream_state_put_rate{") && scrape.contains("rocksdb_state_id=\"translation-memory\"");
            });
        }
    }

    @Test
    void readinessFollowsKafkaStreamsThroughARebalance() throws Exception {
        // seen on A's stream thread as each state change happens (the state cannot move on while the listener runs)
        List<String> seenByA = new CopyOnWriteArrayList<>();
        TestInstance[] self = new TestInstance[1];
        KafkaStreams.StateListener probe = (now, before) -> {
            if (self[0] != null && (now == KafkaStreams.State.REBALANCING || now == KafkaStreams.State.RUNNING)) {
                try {
                    for (String path : List.of("/health/ready", "/health/running")) {
                        HttpResponse<String> r = OpsServerTest.get(self[0].ops.port(), path);
                        seenByA.add(now + " " + path + " -> " + r.statusCode() + " " + r.body().strip());
                    }
                } catch (Exception e) {
                    seenByA.add(now + " -> " + e);
                }
            }
        };
        try (TestInstance a = new TestInstance(cluster.instance("ops-rebalance", Map.of()), engine, probe)) {
            self[0] = a;
            awaitReady(a);
            assertEquals(Set.of("translation-requests-0", "translation-requests-1", "translation-requests-2",
                    "translation-requests-3"), partitions(a));
            seenByA.clear();
            try (TestInstance b = new TestInstance(cluster.instance("ops-rebalance", Map.of()), engine)) {
                String early = OpsServerTest.get(b.ops.port(), "/health/running").body();
                assertTrue(early.startsWith("Kafka Streams is"), "B is not running before it has partitions: " + early);
                awaitReady(b);
                awaitReady(a);
                TestCluster.await("the partitions to be split", WAIT, () -> partitions(a).size() + partitions(b).size() == PARTITIONS
                        && !partitions(a).isEmpty() && !partitions(b).isEmpty());
                Set<String> both = new TreeSet<>(partitions(a));
                both.addAll(partitions(b));
                assertEquals(PARTITIONS, both.size(), "every partition has one owner");
            }
            assertTrue(seenByA.contains("REBALANCING /health/ready -> 200 ready (Kafka Streams is REBALANCING)"),
                    "A stayed ready while the group rebalanced: " + seenByA);
            assertTrue(seenByA.stream().anyMatch(s -> s.startsWith("REBALANCING /health/running -> 503 Kafka Streams is REBALANCING")),
                    "A answered /health/running with 503 and the reason while rebalancing: " + seenByA);
            assertTrue(seenByA.stream().noneMatch(s -> s.startsWith("RUNNING /health/ready -> 503")), seenByA.toString());
            // B left the group: A takes everything back and is ready again
            TestCluster.await("A to own all partitions again", WAIT, () -> partitions(a).size() == PARTITIONS);
            awaitReady(a);
        }
    }

    static Set<String> partitions(TestInstance i) throws Exception {
        JsonNode s = new ObjectMapper().readTree(OpsServerTest.get(i.ops.port(), "/status.json").body());
        Set<String> out = new HashSet<>();
        s.get("partitions").forEach(p -> {
            if (p.asText().startsWith("translation-requests-")) {
                out.add(p.asText());
            }
        });
        return out;
    }

    @Test
    void statusPageShowsLiveFiguresInChromium() throws Exception {
        String missing = "needs " + HeadlessChromium.BINARY + " (apt-get install chromium; .ci/run does)";
        if (System.getenv("CI") != null) {
            assertTrue(HeadlessChromium.available(), missing); // CI must not skip
        } else {
            Assumptions.assumeTrue(HeadlessChromium.available(), missing);
        }
        List<ConsumerRecord<String, byte[]>> outputs = new ArrayList<>();
        // a chart point a second: the translations below are in it soon after they are counted
        try (TestInstance a = new TestInstance(cluster.instance("ops-page", Map.of("ops.chart.interval.ms", "1000")), engine);
             KafkaConsumer<String, byte[]> reader = cluster.outputReader()) {
            awaitReady(a);
            TestCluster.await("the chart's first point", WAIT, () -> series(a).get("points").size() > 0);
            String first = HeadlessChromium.dumpDom(a.url("/"), 3_000);
            assertEquals("RUNNING", text(first, "state"));
            assertEquals(engine.modelInfo().name(), text(first, "model"));
            assertEquals("0", text(first, "out-total"));
            assertEquals("–", text(first, "p50"));
            assertEquals(List.of(), chartPoints(first, "path-p99"), "no latency before any translation");
            assertTrue(chartPoints(first, "path-throughput").stream().allMatch(xy -> xy[1] == CHART_BASELINE),
                    "throughput at 0 before any translation");

            List<String> texts = sentences(100, 40);
            cluster.produce(texts);
            cluster.produce(texts.subList(0, 10));
            TestCluster.readUntil(reader, outputs, o -> o.size() >= 50, WAIT);
            TestCluster.await("the metrics to count 50 translations", WAIT,
                    () -> a.ops.metrics().snapshot().outComputed() + a.ops.metrics().snapshot().outCached() >= 50);

            TestCluster.await("the chart to hold the 50 latencies", WAIT, () -> latenciesCharted(a) >= 50);
            assertEquals(50, latenciesCharted(a), "each translation's latency in exactly one point");
            String second = HeadlessChromium.dumpDom(a.url("/"), 3_000);
            assertEquals("50", text(second, "out-total"));
            assertEquals("50", text(second, "in-total"));
            assertTrue(text(second, "p50").endsWith(" ms"), "p50 shows a latency: " + text(second, "p50"));
            assertTrue(text(second, "p99").endsWith(" ms"));
            assertTrue(text(second, "hit-rate").endsWith(" %"));
            assertNotEquals("none", text(second, "partitions"));
            Matcher rows = Pattern.compile("<tr><td>[^<]*</td><td>([^<]*)</td>").matcher(second);
            List<String> shownSources = new ArrayList<>();
            while (rows.find()) {
                shownSources.add(rows.group(1));
            }
            assertEquals(10, shownSources.size(), "the last 10 translations are listed");
            assertTrue(texts.containsAll(shownSources), "they are the texts sent: " + shownSources);
            assertTrue(chartPoints(second, "path-throughput").stream().anyMatch(xy -> xy[1] < CHART_BASELINE),
                    "the throughput line rises: " + chartPoints(second, "path-throughput"));
            List<double[]> p50 = chartPoints(second, "path-p50");
            List<double[]> p99 = chartPoints(second, "path-p99");
            assertTrue(!p99.isEmpty() && p99.size() == p50.size(), "p50 and p99 drawn where there were translations");
            assertTrue(p99.stream().allMatch(xy -> xy[1] < CHART_BASELINE), "a latency above 0 at each");
            assertTrue(text(second, "latency-max").endsWith(" ms"), text(second, "latency-max"));
            assertTrue(text(second, "last-p99").endsWith(" ms"), "the legend shows the last p99: " + text(second, "last-p99"));

            Path png = Path.of("target", "status-page.png").toAbsolutePath();
            HeadlessChromium.screenshot(a.url("/"), png, 3_000);
            System.out.println("status page screenshot: " + png);
        }
    }

    /** the y of the chart's 0 line in the status page's SVG */
    private static final double CHART_BASELINE = 140;

    static JsonNode series(TestInstance i) throws Exception {
        return new ObjectMapper().readTree(get(i, "/status/series", 200));
    }

    /** latencies in the chart's points, all of them */
    private static long latenciesCharted(TestInstance i) throws Exception {
        long n = 0;
        for (JsonNode p : series(i).get("points")) {
            n += p.get("latencies").asLong();
        }
        return n;
    }

    /** The x, y pairs of the SVG path with this id in a dumped DOM. */
    static List<double[]> chartPoints(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + Pattern.quote(id) + "\"[^>]*?\\bd=\"([^\"]*)\"").matcher(dom);
        if (!m.find()) {
            throw new AssertionError("no path #" + id + " in the page:\n" + dom);
        }
        List<double[]> out = new ArrayList<>();
        Matcher xy = Pattern.compile("[ML]([-0-9.]+) ([-0-9.]+)").matcher(m.group(1));
        while (xy.find()) {
            out.add(new double[]{Double.parseDouble(xy.group(1)), Double.parseDouble(xy.group(2))});
        }
        return out;
    }

    /** The text inside the element with this id in a dumped DOM. */
    static String text(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + Pattern.quote(id) + "\"[^>]*>([^<]*)<").matcher(dom);
        if (!m.find()) {
            throw new AssertionError("no element #" + id + " in the page:\n" + dom);
        }
        return m.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
