package seq2seq.tools.faults;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.avro.TranslationRequest;
import seq2seq.service.ServiceMain;
import seq2seq.service.Topics;
import seq2seq.service.config.AppConfig;
import seq2seq.tools.Texts;
import seq2seq.tools.embedded.EmbeddedKafka;
import seq2seq.tools.embedded.EmbeddedRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A version switch mid-stream on three instances, each the real `run` command in its own JVM, against one real
 * broker: `models deploy` writes the control topic while 10 000 requests flow. Every id comes out exactly once (read
 * read_committed to the committed end offsets), nothing is dead-lettered, and each input partition's results, in
 * request order, switch from
 * the old version to the new one once and never go back (so no memory answer of the old version follows the switch).
 * The requests before the deploy are answered before it is written, and every instance serves the new version before
 * the last chunks are sent, so each partition has results of both versions however slow the machine is; the chunks
 * between the deploy and that point flow while the instances switch.
 */
@Timeout(600)
class RolloutProcessesTest {
    private static final Path TINY = Path.of("testdata/models/tiny").toAbsolutePath();
    private static final int PARTITIONS = 6;
    private static final int REQUESTS = 10_000;
    private static final int CHUNK = 500;
    /** chunks sent before the deploy */
    private static final int BEFORE_DEPLOY = 8;
    /** chunks after which every instance must serve the new version before the rest are sent */
    private static final int SWITCHED_BY = 14;

    @TempDir
    Path dir;

    @Test
    void threeInstancesSwitchVersionMidStreamExactlyOnce() throws Exception {
        Path v2 = dir.resolve("tiny-v2");
        try (Stream<Path> files = Files.walk(TINY)) {
            for (Path f : files.toList()) {
                Path target = v2.resolve(TINY.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        Files.writeString(v2.resolve("tokenizer.json"), Files.readString(v2.resolve("tokenizer.json")) + "\n");
        Path logs = Path.of(System.getProperty("build.dir", "target"), "rollout-processes").toAbsolutePath();
        Files.createDirectories(logs);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(1);
             EmbeddedRegistry registry = EmbeddedRegistry.start(kafka.bootstrapServers())) {
            Map<String, String> shared = new HashMap<>();
            shared.put("kafka.bootstrap.servers", kafka.bootstrapServers());
            shared.put("registry.url", registry.url());
            shared.put("kafka.application.id", "rollout-processes");
            shared.put("kafka.replication.factor", "1");
            shared.put("topics.replication.factor", "1");
            shared.put("model.dir", TINY.toString());
            var pipeline = AppConfig.of(shared).pipeline();
            Topics.create(kafka.bootstrapServers(), pipeline, PARTITIONS, (short) 1);
            Path cli = dir.resolve("cli.properties");
            Properties p = new Properties();
            p.putAll(shared);
            try (OutputStream out = Files.newOutputStream(cli)) {
                p.store(out, null);
            }
            List<InstanceProcess> instances = new ArrayList<>();
            try {
                for (String name : List.of("a", "b", "c")) {
                    Map<String, String> c = new HashMap<>(shared);
                    c.put("kafka.state.dir", dir.resolve("state-" + name).toString());
                    c.put("kafka.main.consumer.group.instance.id", "rollout-" + name);
                    instances.add(InstanceProcess.start(name, c, dir, logs));
                }
                for (InstanceProcess i : instances) {
                    i.awaitReady(Duration.ofSeconds(180));
                }
                awaitEveryInstanceActive(instances, pipeline.requestsTopic());
                try (RequestWriter requests = new RequestWriter(kafka.bootstrapServers(), registry.url(), pipeline.requestsTopic())) {
                    Schema schema = TranslationRequest.getClassSchema();
                    int schemaId = requests.register(schema);
                    List<String> texts = Texts.sentences(new Random(21), 400);
                    int next = 0;
                    String oldVersion = null;
                    for (int chunk = 0; chunk < REQUESTS / CHUNK; chunk++) {
                        if (chunk == BEFORE_DEPLOY) {
                            awaitAnswered(kafka.bootstrapServers(), registry.url(), pipeline.translationsTopic(),
                                    pipeline.failuresTopic(), next);
                            oldVersion = instances.get(0).stableVersion("tiny");
                            assertEquals(0, ServiceMain.commandLine().execute("models", "deploy", "tiny", v2.toString(),
                                    "--config", cli.toString()));
                            System.out.println("rollout-processes: deployed after " + next + " requests");
                        }
                        if (chunk == SWITCHED_BY) {
                            awaitEveryInstanceServes(instances, oldVersion);
                            System.out.println("rollout-processes: every instance serves the new version after "
                                    + next + " requests");
                        }
                        Map<Integer, List<String>> ids = new TreeMap<>();
                        Map<Integer, List<String>> chunkTexts = new TreeMap<>();
                        for (int i = 0; i < CHUNK; i++, next++) {
                            ids.computeIfAbsent(next % PARTITIONS, k -> new ArrayList<>()).add("r-" + next);
                            chunkTexts.computeIfAbsent(next % PARTITIONS, k -> new ArrayList<>()).add(texts.get(next % texts.size()));
                        }
                        ids.forEach((part, list) -> requests.send(list, chunkTexts.get(part), part, schema, schemaId));
                        Thread.sleep(300);
                    }
                }
                CommittedOutcomes out = awaitAll(kafka.bootstrapServers(), registry.url(), pipeline.translationsTopic(),
                        pipeline.failuresTopic());
                assertEquals(REQUESTS, out.byId.size(), "every id once");
                // request r-N went to input partition N mod 6, in the order of N: its results, in that order
                Map<Integer, List<CommittedOutcomes.Outcome>> byPartition = new TreeMap<>();
                for (int n = 0; n < REQUESTS; n++) {
                    List<CommittedOutcomes.Outcome> outs = out.byId.getOrDefault("r-" + n, List.of());
                    assertEquals(1, outs.size(), "r-" + n + " came out " + outs.size() + " times");
                    CommittedOutcomes.Outcome o = outs.get(0);
                    assertTrue(o.reason() == null, "r-" + n + " was dead-lettered: " + o.reason());
                    byPartition.computeIfAbsent(n % PARTITIONS, k -> new ArrayList<>()).add(o);
                }
                String v1 = null;
                String v2Hash = null;
                int cachedAfter = 0;
                for (var e : byPartition.entrySet()) {
                    List<CommittedOutcomes.Outcome> results = e.getValue();
                    String first = results.get(0).modelVersion();
                    String last = results.get(results.size() - 1).modelVersion();
                    v1 = v1 == null ? first : v1;
                    v2Hash = v2Hash == null ? last : v2Hash;
                    assertEquals(v1, first, "partition " + e.getKey() + " starts on the old version");
                    assertEquals(v2Hash, last, "partition " + e.getKey() + " ends on the new version");
                    int switches = 0;
                    for (int i = 1; i < results.size(); i++) {
                        if (!results.get(i).modelVersion().equals(results.get(i - 1).modelVersion())) {
                            switches++;
                        }
                        if (switches > 0 && results.get(i).cached()) {
                            cachedAfter++;
                        }
                    }
                    assertEquals(1, switches, "partition " + e.getKey() + " switches version once and never goes back");
                }
                assertTrue(!v1.equals(v2Hash), "two versions");
                System.out.printf("rollout-processes: %d ids once each over %d partitions on 3 instances; each partition"
                        + " switched %s -> %s once; %d memory answers after the switch, all of the new version%n",
                        out.byId.size(), byPartition.size(), v1, v2Hash, cachedAfter);
            } finally {
                for (InstanceProcess i : instances) {
                    i.close();
                }
            }
        }
    }

    private static void awaitEveryInstanceActive(List<InstanceProcess> instances, String topic) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            int total = 0;
            boolean all = true;
            for (InstanceProcess i : instances) {
                int n = i.assignment(topic).active().size();
                total += n;
                all &= n > 0;
            }
            if (all && total == PARTITIONS) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "the three instances did not share the partitions in 120 s");
            Thread.sleep(500);
        }
    }

    /** Waits until the first {@code count} requests have an outcome (read_committed). */
    private static void awaitAnswered(String bootstrap, String registry, String translations, String failures,
                                      int count) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (true) {
            CommittedOutcomes out = CommittedOutcomes.read(bootstrap, registry, translations, failures, PARTITIONS,
                    Duration.ofSeconds(30));
            if (out.byId.size() >= count) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "only " + out.byId.size() + " of the first " + count
                    + " requests answered in 180 s");
            Thread.sleep(1000);
        }
    }

    /** Waits until every instance serves a stable version of {@code tiny} other than {@code before}. */
    private static void awaitEveryInstanceServes(List<InstanceProcess> instances, String before) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            boolean all = true;
            for (InstanceProcess i : instances) {
                String v = i.stableVersion("tiny");
                all &= v != null && !v.equals(before);
            }
            if (all) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "not every instance switched to the new version in 120 s");
            Thread.sleep(250);
        }
    }

    private static CommittedOutcomes awaitAll(String bootstrap, String registry, String translations, String failures)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (true) {
            CommittedOutcomes out = CommittedOutcomes.read(bootstrap, registry, translations, failures, PARTITIONS,
                    Duration.ofSeconds(30));
            if (out.byId.size() >= REQUESTS || System.nanoTime() > deadline) {
                return out;
            }
            Thread.sleep(3000);
        }
    }
}
