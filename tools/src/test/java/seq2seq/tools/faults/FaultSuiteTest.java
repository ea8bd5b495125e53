package seq2seq.tools.faults;

import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.avro.TranslationRequest;
import seq2seq.service.Topics;
import seq2seq.tools.Texts;
import seq2seq.tools.embedded.EmbeddedRegistry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The faults production meets, in one long run against real processes: three KRaft brokers (replication factor 3,
 * {@code min.insync.replicas} 2) and a separate controller, each its own JVM; two instances running the real
 * {@code run} command in their own JVMs (static membership, one standby replica, a short session timeout); the
 * registry in this JVM. 10 000 requests in five phases:
 * <ol>
 *   <li>warm-up: every partition translates and remembers a set of texts;</li>
 *   <li>instance SIGKILL while its metrics show requests read and not yet answered; the survivor runs the restored
 *       buffer again;</li>
 *   <li>the killed instance's partitions on the survivor answer the texts they remembered from the memory, with no
 *       engine batch (the standby copy); then the killed instance starts again and takes its share back;</li>
 *   <li>a broker SIGKILLed mid-stream and started again;</li>
 *   <li>the registry down for 30 s while records arrive under a schema id the instances have not seen yet.</li>
 * </ol>
 * Then every partition of the results and dead letters is read, read_committed, to its committed end: every id
 * exactly once, each result's source text its request's, no dead letter. The figures are printed.
 */
@Timeout(600)
class FaultSuiteTest {
    private static final Path TINY = Path.of("testdata/models/tiny").toAbsolutePath();
    private static final int PARTITIONS = 6;
    private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration REGISTRY_OUTAGE = Duration.ofSeconds(30);
    /** the availability targets of issue 22: printed beside the figures, which the README and the reports carry */
    private static final Duration KILL_TO_OUTPUT_TARGET = Duration.ofSeconds(15);
    private static final Duration OUTAGE_SLACK_TARGET = Duration.ofSeconds(5);
    /**
     * What the suite fails on: not the targets (a slow machine may miss them by a little), but the behaviour they
     * replaced, with room to spare: a kill stalled its partitions for the default session timeout (45 s), and a
     * registry outage stalled output long after the registry was back while the replaced stream thread waited for a
     * rebalance (issue 22 has the figures).
     */
    private static final Duration KILL_TO_OUTPUT_BOUND = Duration.ofSeconds(30);
    private static final Duration OUTAGE_SLACK_BOUND = Duration.ofSeconds(15);
    private static final int WARM_UP = 3_000;
    private static final int KILL_PHASE = 3_000;
    private static final int FROM_MEMORY = 500;
    private static final int BROKER_PHASE = 2_000;
    private static final int REGISTRY_PHASE = 1_500;
    private static final int TOTAL = WARM_UP + KILL_PHASE + FROM_MEMORY + BROKER_PHASE + REGISTRY_PHASE;

    @TempDir
    Path dir;

    /** figures for the report, in the order measured */
    private final Map<String, String> figures = new LinkedHashMap<>();
    private int nextId;
    /** the input partition each id was sent to */
    private final Map<String, Integer> inputPartitionOf = new java.util.concurrent.ConcurrentHashMap<>();

    @Test
    void tenThousandRequestsThroughAnInstanceKillABrokerKillAndARegistryOutage() throws Exception {
        long suiteStart = System.nanoTime();
        Path logs = Path.of(System.getProperty("build.dir", "target"), "fault-suite").toAbsolutePath();
        try (KafkaProcesses kafka = KafkaProcesses.start(dir.resolve("kafka"), logs, 3)) {
            EmbeddedRegistry registry = EmbeddedRegistry.start(kafka.bootstrapServers());
            int registryPort = Integer.parseInt(registry.url().substring(registry.url().lastIndexOf(':') + 1));
            List<InstanceProcess> instances = new ArrayList<>();
            try {
                Map<String, String> shared = instanceSettings(kafka.bootstrapServers(), registry.url());
                var pipeline = seq2seq.service.config.AppConfig.of(shared).pipeline();
                Topics.create(kafka.bootstrapServers(), pipeline, PARTITIONS, (short) 3);
                figures.put("cluster up", secondsSince(suiteStart));

                InstanceProcess a = startInstance("a", shared, logs);
                InstanceProcess b = startInstance("b", shared, logs);
                instances.add(a);
                instances.add(b);
                a.awaitReady(Duration.ofSeconds(120));
                b.awaitReady(Duration.ofSeconds(120));
                try (RequestWriter requests = new RequestWriter(kafka.bootstrapServers(), registry.url(), pipeline.requestsTopic());
                     OutputTimeline timeline = new OutputTimeline(kafka.bootstrapServers(),
                             List.of(pipeline.translationsTopic(), pipeline.failuresTopic()), PARTITIONS)) {
                    Schema current = TranslationRequest.getClassSchema();
                    int currentId = requests.register(current);
                    Random random = new Random(22);

                    // 1. warm-up: each partition remembers the texts it translated
                    List<String> remembered = Texts.sentences(random, 300);
                    Map<Integer, List<String>> rememberedBy = new HashMap<>();
                    List<String> warmIds = sendSpread(requests, WARM_UP, i -> remembered.get(i % remembered.size()), current, currentId);
                    for (int i = 0; i < WARM_UP; i++) {
                        rememberedBy.computeIfAbsent(i % PARTITIONS, p -> new ArrayList<>()).add(remembered.get(i % remembered.size()));
                    }
                    awaitAll(timeline, warmIds, "warm-up");
                    figures.put("warm-up", WARM_UP + " requests answered by " + secondsSince(suiteStart));

                    // 2. SIGKILL an instance that holds read, unanswered requests
                    Set<Integer> bPartitions = awaitSplit(a, b, pipeline.requestsTopic());
                    // three sentences a request: more engine work per request, so b's queue builds up between commits
                    List<String> sentences = Texts.sentences(random, 3 * KILL_PHASE);
                    List<String> fresh = new ArrayList<>();
                    for (int i = 0; i < KILL_PHASE; i++) {
                        fresh.add(String.join(" ", sentences.subList(3 * i, 3 * i + 3)) + " Phase two.");
                    }
                    List<String> killIds = new ArrayList<>();
                    double inFlightAtKill = 0;
                    double queuedAtKill = 0;
                    double mostUnanswered = 0;
                    double mostQueued = 0;
                    long tKill = 0;
                    Map<Integer, Long> endsAtKill = Map.of();
                    for (int chunk = 0; chunk < KILL_PHASE / 100 && tKill == 0; chunk++) {
                        final int base = chunk * 100;
                        killIds.addAll(sendSpread(requests, 100, i -> fresh.get(base + i), current, currentId));
                        if (chunk < 3) {
                            continue;
                        }
                        // b reads a chunk some milliseconds after it is sent: watch its metrics a while, not once
                        long watchUntil = System.nanoTime() + Duration.ofMillis(1_500).toNanos();
                        while (tKill == 0 && System.nanoTime() < watchUntil) {
                            double in = b.metric("s2s_records_in_total");
                            double out = b.metric("s2s_records_out_total") + b.metric("s2s_records_dead_lettered_total");
                            double queued = b.metric("s2s_engine_queue_depth_segments");
                            mostUnanswered = Math.max(mostUnanswered, in - out);
                            mostQueued = Math.max(mostQueued, queued);
                            if (in - out > 0 && queued > 0) {
                                b.kill();
                                tKill = System.nanoTime();
                                // a commit b sent just before it died still lands: read the ends once it has, well
                                // before the session timeout lets the survivor take b's partitions
                                Thread.sleep(1_000);
                                endsAtKill = timeline.committedEnds(pipeline.translationsTopic(), allPartitions());
                                inFlightAtKill = in - out;
                                queuedAtKill = queued;
                            } else {
                                Thread.sleep(20);
                            }
                        }
                    }
                    assertTrue(tKill > 0, "instance b never showed requests in flight on its metrics (at most " + mostUnanswered
                            + " read and unanswered, " + mostQueued + " segments queued)");
                    int sentBeforeKill = killIds.size();
                    int answeredBeforeKill = timeline.ids.size();
                    for (int base = sentBeforeKill; base < KILL_PHASE; base += 100) {
                        final int from = base;
                        killIds.addAll(sendSpread(requests, Math.min(100, KILL_PHASE - base), i -> fresh.get(from + i), current, currentId));
                    }
                    // results go to the partition of their key's hash: what resumes is the output for b's input partitions
                    Set<Integer> killed = bPartitions;
                    long tResumed = awaitFirstPast(timeline, pipeline.translationsTopic(), endsAtKill,
                            id -> killed.contains(inputPartitionOf.get(id)));
                    awaitAll(timeline, killIds, "instance kill");
                    long tDrained = System.nanoTime();
                    int restored = a.restoredBufferedRequests();
                    figures.put("instance kill", String.format("b (partitions %s) SIGKILLed after %d of %d requests sent, "
                                    + "%.0f read and unanswered on its metrics (%.0f segments queued), %d answered overall",
                            bPartitions, sentBeforeKill, KILL_PHASE, inFlightAtKill, queuedAtKill, answeredBeforeKill));
                    figures.put("instance kill -> output resumes", seconds(tResumed - tKill) + " (target < "
                            + KILL_TO_OUTPUT_TARGET.toSeconds() + " s; session timeout 6 s, transaction timeout 10 s, "
                            + "brokers' timed-out transaction check every " + KafkaProcesses.TRANSACTION_CLEANUP_MS + " ms)");
                    figures.put("instance kill -> drained", seconds(tDrained - tKill));
                    figures.put("survivor restored and re-ran", restored + " buffered requests");
                    assertTrue(restored > 0, "the survivor ran none of the killed instance's buffered requests again; see " + a.log);

                    // 3. the moved partitions answer what they remembered, without the engine (standby replica)
                    double batchesBefore = a.metric("s2s_batch_duration_seconds_count");
                    double hitsBefore = a.metric("s2s_memory_lookups_total", "result=\"hit\"");
                    List<String> memoryIds = new ArrayList<>();
                    List<Integer> moved = new ArrayList<>(bPartitions);
                    for (int i = 0; i < FROM_MEMORY; i++) {
                        int p = moved.get(i % moved.size());
                        List<String> texts = rememberedBy.get(p);
                        String id = id(nextId++);
                        requests.send(List.of(id), List.of(texts.get(i % texts.size())), p, current, currentId);
                        memoryIds.add(id);
                    }
                    awaitAll(timeline, memoryIds, "memory on the new owner");
                    double batchesAfter = a.metric("s2s_batch_duration_seconds_count");
                    double hits = a.metric("s2s_memory_lookups_total", "result=\"hit\"") - hitsBefore;
                    assertEquals(batchesBefore, batchesAfter, "the new owner called the engine for texts its partitions remembered");
                    figures.put("memory on the new owner", String.format("%d requests on the moved partitions, %.0f memory hits, "
                            + "%.0f engine batches", FROM_MEMORY, hits, batchesAfter - batchesBefore));
                    b = startInstance("b", shared, logs);
                    instances.set(1, b);
                    b.awaitReady(Duration.ofSeconds(120));
                    figures.put("b restarted", "ready, " + b.assignment(pipeline.requestsTopic()));

                    // 4. SIGKILL a broker mid-stream, start it again
                    int victim = leaderOf(kafka.bootstrapServers(), pipeline.requestsTopic());
                    List<String> brokerIds = new ArrayList<>();
                    List<String> mixed = Texts.sentences(random, BROKER_PHASE).stream().map(t -> t + " Phase four.").toList();
                    long tBrokerKill = 0;
                    long tBrokerBack = 0;
                    for (int base = 0; base < BROKER_PHASE; base += 100) {
                        final int from = base;
                        brokerIds.addAll(sendSpread(requests, 100, i -> mixed.get(from + i), current, currentId));
                        if (base == BROKER_PHASE / 4) {
                            kafka.kill(victim);
                            tBrokerKill = System.nanoTime();
                        }
                        Thread.sleep(100);
                    }
                    kafka.restart(victim);
                    tBrokerBack = System.nanoTime();
                    awaitAll(timeline, brokerIds, "broker kill");
                    long tBrokerDrained = System.nanoTime();
                    figures.put("broker kill", String.format("broker %d (leader of %s-0) SIGKILLed after %d of %d requests, "
                                    + "restarted %s later; longest output gap %s; drained %s after the kill",
                            victim, pipeline.requestsTopic(), BROKER_PHASE / 4 + 100, BROKER_PHASE, seconds(tBrokerBack - tBrokerKill),
                            seconds(timeline.longestGapNanos(tBrokerKill, tBrokerDrained)), seconds(tBrokerDrained - tBrokerKill)));

                    // 5. registry down while records name a schema id nobody has fetched yet
                    Schema newer = RequestWriter.newerRequestSchema();
                    int newerId = requests.register(newer);
                    assertTrue(newerId != currentId);
                    registry.close();
                    long tDown = System.nanoTime();
                    List<String> outageTexts = Texts.sentences(random, REGISTRY_PHASE).stream().map(t -> t + " Phase five.").toList();
                    List<String> outageIds = sendSpread(requests, REGISTRY_PHASE, outageTexts::get, newer, newerId);
                    Thread.sleep(Math.max(0, REGISTRY_OUTAGE.toMillis() - (System.nanoTime() - tDown) / 1_000_000));
                    long visibleDuringOutage = timeline.countSince(tDown, allPartitions());
                    registry = EmbeddedRegistry.start(kafka.bootstrapServers(), registryPort);
                    long tUp = System.nanoTime();
                    long tFirst = awaitFirstOutput(timeline, tDown, allPartitions());
                    awaitAll(timeline, outageIds, "registry outage");
                    long tOutageDrained = System.nanoTime();
                    for (InstanceProcess i : instances) {
                        i.awaitReady(Duration.ofSeconds(30));
                    }
                    figures.put("registry outage", String.format("%s down, %d records under schema id %d (new) sent; %d outputs "
                                    + "while down; output stalled %s (target < %s); resumed %s after it returned; drained %s after",
                            seconds(tUp - tDown), REGISTRY_PHASE, newerId, visibleDuringOutage, seconds(tFirst - tDown),
                            seconds(REGISTRY_OUTAGE.plus(OUTAGE_SLACK_TARGET).toNanos()), seconds(tFirst - tUp),
                            seconds(tOutageDrained - tUp)));

                    // every id exactly once, read_committed to the committed end of every partition
                    CommittedOutcomes outcomes = CommittedOutcomes.read(kafka.bootstrapServers(), registry.url(),
                            pipeline.translationsTopic(), pipeline.failuresTopic(), PARTITIONS, Duration.ofSeconds(60));
                    Map<String, Integer> notOnce = new TreeMap<>();
                    List<String> wrongText = new ArrayList<>();
                    List<String> deadLetters = new ArrayList<>();
                    long cached = 0;
                    for (var e : requests.texts.entrySet()) {
                        List<CommittedOutcomes.Outcome> got = outcomes.byId.getOrDefault(e.getKey(), List.of());
                        if (got.size() != 1) {
                            notOnce.put(e.getKey(), got.size());
                        }
                        for (CommittedOutcomes.Outcome o : got) {
                            if (o.reason() != null) {
                                deadLetters.add(e.getKey() + ": " + o.reason());
                            } else if (!e.getValue().equals(o.sourceText())) {
                                wrongText.add(e.getKey() + ": " + o.sourceText() + " != " + e.getValue());
                            }
                            cached += o.cached() ? 1 : 0;
                        }
                    }
                    Set<String> unknown = new TreeSet<>(outcomes.byId.keySet());
                    unknown.removeAll(requests.texts.keySet());
                    assertEquals(TOTAL, requests.texts.size());
                    assertEquals(Map.of(), limit(notOnce), "ids not answered exactly once");
                    assertEquals(Set.of(), unknown, "outputs for ids never sent");
                    assertEquals(List.of(), wrongText.stream().limit(10).toList(), "results whose source is another request's");
                    assertEquals(List.of(), deadLetters.stream().limit(10).toList(), "dead letters for good requests");
                    assertEquals(TOTAL, outcomes.records, "one output per request");
                    long memoryHitsOnMoved = memoryIds.stream().filter(id -> outcomes.byId.get(id).get(0).cached()).count();
                    assertEquals(FROM_MEMORY, memoryHitsOnMoved, "the moved partitions answered from memory");
                    figures.put("outputs", String.format("%d requests, %d outputs read to the committed end offsets, each id "
                            + "once, %d from memory, 0 dead letters", TOTAL, outcomes.records, cached));
                    assertTrue(tResumed - tKill < KILL_TO_OUTPUT_BOUND.toNanos(), "output resumed "
                            + seconds(tResumed - tKill) + " after the instance kill");
                    assertTrue(tFirst - tDown < REGISTRY_OUTAGE.plus(OUTAGE_SLACK_BOUND).toNanos(),
                            "output stalled " + seconds(tFirst - tDown) + " for a " + REGISTRY_OUTAGE.toSeconds() + " s registry outage");
                }
            } finally {
                figures.put("suite", seconds(System.nanoTime() - suiteStart) + " up to the last check");
                figures.forEach((k, v) -> System.out.println("fault suite: " + k + ": " + v));
                for (InstanceProcess i : instances) {
                    i.close();
                }
                registry.close();
            }
        }
    }

    private Map<String, String> instanceSettings(String bootstrap, String registryUrl) {
        Map<String, String> c = new HashMap<>();
        c.put("kafka.bootstrap.servers", bootstrap);
        c.put("registry.url", registryUrl);
        c.put("kafka.application.id", "fault-suite");
        c.put("model.dir", TINY.toString());
        c.put("kafka.replication.factor", "3");
        // standby replicas, session timeout and heartbeat: the defaults, which are what this suite measures
        // small batches keep a queue on the tiny model, so the instance killed holds requests buffered across commits
        c.put("batch.size", "4");
        return c;
    }

    private InstanceProcess startInstance(String name, Map<String, String> shared, Path logs) throws Exception {
        Map<String, String> c = new HashMap<>(shared);
        c.put("kafka.state.dir", dir.resolve("state-" + name).toString());
        c.put("kafka.main.consumer.group.instance.id", "fault-suite-" + name);
        return InstanceProcess.start(name, c, dir, logs);
    }

    /** Sends {@code n} requests with the texts {@code text(i)}, request i to partition i mod 6; returns their ids. */
    private List<String> sendSpread(RequestWriter requests, int n, java.util.function.IntFunction<String> text,
                                    Schema schema, int schemaId) {
        Map<Integer, List<String>> ids = new TreeMap<>();
        Map<Integer, List<String>> texts = new TreeMap<>();
        List<String> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = id(nextId++);
            ids.computeIfAbsent(i % PARTITIONS, p -> new ArrayList<>()).add(id);
            inputPartitionOf.put(id, i % PARTITIONS);
            texts.computeIfAbsent(i % PARTITIONS, p -> new ArrayList<>()).add(text.apply(i));
            all.add(id);
        }
        ids.forEach((p, list) -> requests.send(list, texts.get(p), p, schema, schemaId));
        return all;
    }

    private static String id(int i) {
        return String.format("f%05d", i);
    }

    private static Set<Integer> allPartitions() {
        return IntStream.range(0, PARTITIONS).boxed().collect(Collectors.toSet());
    }

    private static void awaitAll(OutputTimeline timeline, List<String> ids, String phase) throws InterruptedException {
        long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
        while (!timeline.ids.containsAll(ids)) {
            timeline.check();
            if (System.nanoTime() > deadline) {
                long missing = ids.stream().filter(id -> !timeline.ids.contains(id)).count();
                throw new AssertionError(phase + ": " + missing + " of " + ids.size() + " requests unanswered after "
                        + PHASE_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    private static long awaitFirstPast(OutputTimeline timeline, String topic, Map<Integer, Long> ends,
                                       java.util.function.Predicate<String> ids) throws InterruptedException {
        long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
        long first;
        while ((first = timeline.firstPast(topic, ends, ids)) < 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nothing committed on " + topic + " past " + ends + " within " + PHASE_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
        return first;
    }

    private static long awaitFirstOutput(OutputTimeline timeline, long sinceNanos, Set<Integer> partitions) throws InterruptedException {
        long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
        long first;
        while ((first = timeline.firstSince(sinceNanos, partitions)) < 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no output on partitions " + partitions + " within " + PHASE_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
        return first;
    }

    /** Waits until the two instances share all partitions, each some; returns the second one's. */
    private static Set<Integer> awaitSplit(InstanceProcess a, InstanceProcess b, String topic) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Set<Integer> onA = a.assignment(topic).active();
            Set<Integer> onB = b.assignment(topic).active();
            Set<Integer> both = new TreeSet<>(onA);
            both.addAll(onB);
            if (!onA.isEmpty() && !onB.isEmpty() && both.size() == PARTITIONS && onA.size() + onB.size() == PARTITIONS) {
                return onB;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the instances did not split the partitions within 60 s: " + onA + " and " + onB);
            }
            Thread.sleep(200);
        }
    }

    private static int leaderOf(String bootstrap, String topic) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().get(0).leader().id();
        }
    }

    private static Map<String, Integer> limit(Map<String, Integer> m) {
        return m.entrySet().stream().limit(10).collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue,
                (x, y) -> x, TreeMap::new));
    }

    private static String secondsSince(long t0) {
        return seconds(System.nanoTime() - t0);
    }

    private static String seconds(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }
}
