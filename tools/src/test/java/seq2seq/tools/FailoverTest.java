package seq2seq.tools;

import seq2seq.service.ClientProps;
import seq2seq.service.Topics;
import seq2seq.service.EngineLoader;
import seq2seq.service.PipelineService;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.tools.embedded.EmbeddedKafka;
import seq2seq.tools.embedded.EmbeddedRegistry;
import seq2seq.avro.TranslationOptions;
import seq2seq.avro.TranslationRequest;
import seq2seq.generation.Engine;
import seq2seq.streams.PipelineEvents;
import seq2seq.streams.SerdeFactory;

import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Exactly-once across a crash: 10 000 requests through 6 partitions and two instances; one instance is a separate
 * JVM running the real {@code run} command, killed with SIGKILL mid-stream (no commit, no clean shutdown, an open
 * transaction left behind). The survivor takes its partitions over. Read with read_committed, output ∪ dead letters
 * hold every request id exactly once.
 */
@Timeout(420)
class FailoverTest {
    static final Path TINY_MODEL = Path.of("testdata/models/tiny");
    private static final int PARTITIONS = 6;
    private static final int REQUESTS = 10_000;
    /** distinct texts among the requests (repeats exercise the translation memory, and keep CI time modest) */
    private static final int DISTINCT_TEXTS = 600;
    private static final Duration WAIT = Duration.ofSeconds(240);

    @TempDir
    Path dir;

    /** The settings both instances share; each adds its own state directory. */
    static Map<String, String> sharedConfig(EmbeddedKafka kafka, EmbeddedRegistry registry, String appId) {
        return sharedConfig(kafka.bootstrapServers(), registry, appId);
    }

    static Map<String, String> sharedConfig(String bootstrapServers, EmbeddedRegistry registry, String appId) {
        Map<String, String> c = new HashMap<>();
        c.put(Settings.BOOTSTRAP_SERVERS.name(), bootstrapServers);
        c.put(Settings.REGISTRY_URL.name(), registry.url());
        c.put(Settings.APPLICATION_ID.name(), appId);
        c.put(Settings.REPLICATION_FACTOR.name(), "1");
        c.put(Settings.MODEL_DIR.name(), TINY_MODEL.toString());
        // a killed member leaves the group after this, instead of the default 45 s
        c.put("kafka.consumer.session.timeout.ms", "6000");
        c.put("kafka.consumer.heartbeat.interval.ms", "1000");
        return c;
    }

    @Test
    void everyRequestIsAnsweredExactlyOnceWhenAnInstanceIsKilledMidStream() throws Exception {
        stopSecondInstanceMidStream(false);
    }

    /** SIGTERM: `run` stops polling, hands its work back, closes Kafka Streams cleanly and exits 0; nothing lost or doubled. */
    @Test
    void everyRequestIsAnsweredExactlyOnceWhenAnInstanceGetsSigtermMidStream() throws Exception {
        stopSecondInstanceMidStream(true);
    }

    private void stopSecondInstanceMidStream(boolean graceful) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(1);
             EmbeddedRegistry registry = EmbeddedRegistry.start(kafka.bootstrapServers())) {
            Map<String, String> shared = sharedConfig(kafka, registry, "failover-test");
            AppConfig configA = AppConfig.of(shared).with(Map.of("kafka.state.dir", dir.resolve("state-a").toString()));
            Topics.create(kafka.bootstrapServers(), configA.pipeline(), PARTITIONS, (short) 1);

            Process b = startInstanceB(shared);
            try (Engine engine = EngineLoader.load(configA);
                 PipelineService a = new PipelineService(configA, engine, PipelineEvents.NONE);
                 OutputReader out = new OutputReader(configA, PARTITIONS);
                 KafkaProducer<byte[], byte[]> producer = producer(configA)) {
                long t0 = System.nanoTime();
                a.start();
                Set<Integer> aPartitions = awaitActiveTasks(a.streams(), PARTITIONS / 2, b);
                Set<Integer> bPartitions = new HashSet<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    if (!aPartitions.contains(p)) {
                        bPartitions.add(p);
                    }
                }
                Serializer<TranslationRequest> requests = SerdeFactory.create(configA.get(Settings.SERDE_CLASS),
                        TranslationRequest.class, configA.serdes()).serializer();
                String topic = configA.pipeline().requestsTopic();
                Random random = new Random(42);
                List<String> texts = Texts.sentences(random, DISTINCT_TEXTS);

                long tRunning = System.nanoTime();
                int half = REQUESTS / 2;
                send(producer, requests, topic, texts, random, 0, half);
                assertTrue(out.await(() -> sum(out, bPartitions) >= 300, WAIT),
                        "instance B should translate some requests before it is killed; its partitions " + bPartitions + " have " + sum(out, bPartitions));
                if (graceful) {
                    b.destroy(); // SIGTERM
                    assertTrue(b.waitFor(60, TimeUnit.SECONDS), "instance B did not stop within 60 s of SIGTERM");
                    assertEquals(0, b.exitValue(), "a graceful stop exits 0 (see target/failover-instance-b.log)");
                } else {
                    b.destroyForcibly(); // SIGKILL: whatever B buffered, translated or half-committed is left as it is
                    assertTrue(b.waitFor(30, TimeUnit.SECONDS), "instance B did not die");
                }
                int answeredAtKill = out.records();
                long tKill = System.nanoTime();
                send(producer, requests, topic, texts, random, half, REQUESTS);

                boolean complete = out.await(() -> out.seen.size() >= REQUESTS, WAIT);
                long tDone = System.nanoTime();
                Thread.sleep(1_000); // anything duplicated would arrive by now
                Map<String, Integer> duplicates = new TreeMap<>();
                out.seen.forEach((id, n) -> {
                    if (n.get() != 1) {
                        duplicates.put(id, n.get());
                    }
                });
                assertTrue(complete, "only " + out.seen.size() + " of " + REQUESTS + " ids answered");
                assertEquals(Map.of(), duplicates, "ids answered more than once");
                assertEquals(REQUESTS, out.records(), "one record per request across translations and dead letters");
                assertEquals(List.of(), out.failures, "no dead letters expected");
                for (int i = 0; i < REQUESTS; i++) {
                    assertTrue(out.seen.containsKey(id(i)), "missing " + id(i));
                }
                assertTrue(a.streams().state() == KafkaStreams.State.RUNNING || a.streams().state() == KafkaStreams.State.REBALANCING);
                long cached = out.translations.stream().filter(t -> t.getCached()).count();
                System.out.printf("failover: %d answered before the kill, %d after; %d from memory; B had partitions %s;"
                                + " both running after %.1f s, kill at +%.1f s, all %d answered %.1f s after the kill%n",
                        answeredAtKill, REQUESTS - answeredAtKill, cached, bPartitions, (tRunning - t0) / 1e9,
                        (tKill - tRunning) / 1e9, REQUESTS, (tDone - tKill) / 1e9);
            } finally {
                b.destroyForcibly();
            }
        }
    }

    static String id(int i) {
        return String.format("r%05d", i);
    }

    private static int sum(OutputReader out, Set<Integer> partitions) {
        return partitions.stream().mapToInt(p -> out.perPartition.getOrDefault(p, new java.util.concurrent.atomic.AtomicInteger()).get()).sum();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Serializer<TranslationRequest> requests, String topic,
                             List<String> texts, Random random, int from, int to) {
        TranslationOptions greedy = TranslationOptions.newBuilder().setNumBeams(1).setMaxNewTokens(16).build();
        for (int i = from; i < to; i++) {
            TranslationRequest r = TranslationRequest.newBuilder().setId(id(i)).setText(texts.get(random.nextInt(texts.size())))
                    .setOptions(greedy).setAttributes(Map.of()).build();
            producer.send(new ProducerRecord<>(topic, id(i).getBytes(StandardCharsets.UTF_8), requests.serialize(topic, r)));
        }
        producer.flush();
    }

    static KafkaProducer<byte[], byte[]> producer(AppConfig c) {
        Properties p = ClientProps.producer(c);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Instance B: the real `run` command in its own JVM, so it can be killed like a crashed container. */
    private Process startInstanceB(Map<String, String> shared) throws IOException {
        Path config = dir.resolve("b.properties");
        Properties p = new Properties();
        p.putAll(shared);
        p.put("kafka.state.dir", dir.resolve("state-b").toString());
        if (Settings.find("ops.port") != null) {
            p.put("ops.port", "0"); // `run` serves its operations endpoints: any free port, so parallel runs do not clash
        }
        try (Writer w = Files.newBufferedWriter(config)) {
            p.store(w, "instance B");
        }
        File log = Path.of(System.getProperty("build.dir", "target"), "failover-instance-b.log").toFile();
        log.getParentFile().mkdirs();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx768m", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log).start();
    }

    /** Waits until instance A runs with {@code tasks} active tasks (so B has the others); returns A's partitions. */
    private static Set<Integer> awaitActiveTasks(KafkaStreams a, int tasks, Process b) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!b.isAlive()) {
                fail("instance B exited with " + b.exitValue() + " (see target/failover-instance-b.log)");
            }
            if (a.state() == KafkaStreams.State.RUNNING) {
                Set<Integer> partitions = a.metadataForLocalThreads().stream()
                        .flatMap(t -> t.activeTasks().stream()).map(t -> t.taskId().partition())
                        .collect(Collectors.toSet());
                if (partitions.size() == tasks) {
                    return partitions;
                }
            }
            Thread.sleep(100);
        }
        fail("the two instances did not split the " + PARTITIONS + " partitions within 120 s; A has "
                + a.metadataForLocalThreads().stream().map(ThreadMetadata::activeTasks).toList());
        return Set.of();
    }
}
