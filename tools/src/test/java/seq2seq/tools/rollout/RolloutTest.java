package seq2seq.tools.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.avro.TranslationFailure;
import seq2seq.avro.TranslationRequest;
import seq2seq.avro.TranslationResult;
import seq2seq.service.ClientProps;
import seq2seq.service.LoadedModels;
import seq2seq.service.PipelineService;
import seq2seq.service.ServiceMain;
import seq2seq.service.Topics;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.service.rollout.ControlTopic;
import seq2seq.service.ops.Metrics;
import seq2seq.service.rollout.DeploymentFollower;
import seq2seq.service.rollout.FleetStatus;
import seq2seq.streams.ModelFleet;
import seq2seq.streams.ModelVersion;
import seq2seq.streams.SerdeFactory;
import seq2seq.tools.embedded.EmbeddedKafka;
import seq2seq.tools.embedded.EmbeddedRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Versioned rollout through the control topic, on a real broker and registry, with the instance wired as `run`
 * wires it and the `models` command writing the topic: a 10 % canary by key hash, promote, rollback without a
 * restart, a broken bundle that leaves the serving version in place, and a shadow whose agreement is counted while
 * nothing of its output is sent. Two versions of the tiny model differ only
 * in the bytes of their tokenizer file, so their content hashes (the versions results carry) differ.
 */
@Timeout(420)
class RolloutTest {
    private static final Path TINY = Path.of("testdata/models/tiny");
    private static final String[] TEXTS = {"The house is small.", "I like the cat.", "The dog is big.",
            "We see the tree.", "The book is old.", "She has a car.", "He reads the book.", "The cat sleeps."};

    @TempDir
    Path dir;

    private final Map<String, TranslationResult> results = new HashMap<>();
    private final Map<String, TranslationFailure> failures = new HashMap<>();
    /** records read from the translations topic, duplicates included */
    private int translationRecords;

    @Test
    void canaryPromoteRollbackABrokenBundleAndAShadow() throws Exception {
        Path v2 = copy(TINY, dir.resolve("tiny-v2"));
        Files.writeString(v2.resolve("tokenizer.json"), Files.readString(v2.resolve("tokenizer.json")) + "\n");
        Path broken = copy(TINY, dir.resolve("tiny-broken"));
        try (Stream<Path> files = Files.walk(broken)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("decoder")).toList()) {
                Files.write(f, "not an onnx model".getBytes(StandardCharsets.UTF_8));
            }
        }

        try (EmbeddedKafka kafka = EmbeddedKafka.start(1);
             EmbeddedRegistry registry = EmbeddedRegistry.start(kafka.bootstrapServers())) {
            Map<String, String> settings = new HashMap<>();
            settings.put(Settings.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
            settings.put(Settings.REGISTRY_URL.name(), registry.url());
            settings.put(Settings.APPLICATION_ID.name(), "rollout-test");
            settings.put(Settings.REPLICATION_FACTOR.name(), "1");
            settings.put(Settings.TOPICS_REPLICATION.name(), "1");
            settings.put(Settings.MODEL_DIR.name(), TINY.toString());
            settings.put("kafka.state.dir", dir.resolve("state").toString());
            AppConfig config = AppConfig.of(settings);
            Path file = dir.resolve("rollout.properties");
            Properties p = new Properties();
            p.putAll(settings);
            try (OutputStream out = Files.newOutputStream(file)) {
                p.store(out, null);
            }
            Topics.create(kafka.bootstrapServers(), config.pipeline(), 3, (short) 1);
            try (LoadedModels models = LoadedModels.load(config);
                 Metrics metrics = new Metrics(10);
                 PipelineService service = new PipelineService(config, models, metrics);
                 DeploymentFollower follower = new DeploymentFollower(ControlTopic.of(config).orElseThrow(),
                         service.fleet(), models, config);
                 KafkaProducer<byte[], byte[]> producer = producer(config);
                 KafkaConsumer<byte[], byte[]> consumer = consumer(config)) {
                follower.catchUp();
                service.start();
                follower.start();
                ModelFleet fleet = service.fleet();
                ModelVersion v1 = fleet.deployment("tiny").stable();

                assertEquals(0, models("deploy", "tiny", v2.toString(), "--canary", "10", "--config", file.toString()));
                waitFor(() -> fleet.deployment("tiny").candidate() != null, "the canary to be loaded");
                String v2Hash = fleet.deployment("tiny").candidate().version();
                assertNotEquals(v1.version(), v2Hash);
                Map<String, String> canary = translate(config, producer, consumer, "canary", 10_000);
                long onV2 = canary.values().stream().filter(v2Hash::equals).count();
                System.out.printf("rollout: canary 10 %%: %d of %d requests answered by %s (%.2f %%)%n", onV2,
                        canary.size(), v2Hash, 100.0 * onV2 / canary.size());
                assertEquals(10.0, 100.0 * onV2 / canary.size(), 3.0, "the canary's share");
                assertTrue(canary.values().stream().allMatch(v -> v.equals(v2Hash) || v.equals(v1.version())));
                // /models shows the share the canary answered beside the one configured, counted as the results say
                JsonNode canaryStatus = new ObjectMapper().readTree(FleetStatus.json(fleet, follower, metrics)).get(0);
                assertEquals(10, canaryStatus.get("canary_percent").asInt());
                assertEquals(onV2, canaryStatus.at("/canary_answered/translations").asLong(), canaryStatus.toString());
                assertEquals(canary.size(), canaryStatus.at("/canary_answered/of").asLong(), canaryStatus.toString());
                assertEquals(100.0 * onV2 / canary.size(), canaryStatus.at("/canary_answered/percent").asDouble(), 1e-9);

                assertEquals(0, models("promote", "tiny", "--config", file.toString()));
                assertEquals(2, models("promote", "tiny", "--config", file.toString()), "nothing left to promote");
                assertEquals(2, models("rollback", "never-deployed", "--config", file.toString()), "nothing to roll back");
                waitFor(() -> fleet.deployment("tiny").candidate() == null
                        && fleet.deployment("tiny").stable().version().equals(v2Hash), "the promotion");
                waitFor(v1::unloaded, "the old version to be unloaded after its last request");
                assertTrue(translate(config, producer, consumer, "promoted", 500).values().stream().allMatch(v2Hash::equals),
                        "after promote every request is answered by the new version");

                assertEquals(0, models("rollback", "tiny", "--config", file.toString()));
                waitFor(() -> fleet.deployment("tiny").stable().version().equals(v1.version()), "the rollback");
                assertTrue(translate(config, producer, consumer, "rolled-back", 500).values().stream()
                        .allMatch(v1.version()::equals), "after rollback every request is answered by the old version");

                assertEquals(0, models("deploy", "tiny", broken.toString(), "--config", file.toString()));
                waitFor(() -> follower.errors().containsKey("tiny"), "the broken deployment's error");
                String error = follower.errors().get("tiny");
                assertTrue(error.matches("(?s).*decoder[a-z_]*\\.onnx.*"), "the error names the file: " + error);
                assertEquals(v1.version(), fleet.deployment("tiny").stable().version());
                assertTrue(translate(config, producer, consumer, "after-broken", 500).values().stream()
                        .allMatch(v1.version()::equals), "the old version keeps serving every request");
                // the topic still wants the broken folder: the operator's way back is a rollback
                assertEquals(0, models("rollback", "tiny", "--config", file.toString()));
                waitFor(() -> !follower.errors().containsKey("tiny"), "the rollback from the broken deployment");
                assertEquals(v1.version(), fleet.deployment("tiny").stable().version());

                // shadow: the new version translates every engine batch again; only the serving version's output is sent
                assertEquals(0, models("deploy", "tiny", v2.toString(), "--shadow", "--config", file.toString()));
                waitFor(() -> fleet.deployment("tiny").candidate() != null && fleet.deployment("tiny").shadow(),
                        "the shadow to be loaded");
                int recordsBefore = translationRecords;
                Map<String, String> shadowed = translate(config, producer, consumer, "shadowed", 500,
                        i -> "The shadow test number " + i + " is here."); // new texts: the memory knows none of them
                assertTrue(shadowed.values().stream().allMatch(v1.version()::equals), "a shadow answers nothing itself");
                assertEquals(500, translationRecords - recordsBefore, "one result per request, none from the shadow");
                waitFor(() -> metrics.shadowAgreement("tiny", v2Hash) != null
                        && metrics.shadowAgreement("tiny", v2Hash).segments() >= 500, "the shadow's comparisons");
                Metrics.ShadowAgreement agreement = metrics.shadowAgreement("tiny", v2Hash);
                System.out.printf("rollout: shadow %s: %d segments, %.1f %% identical, chrF %.1f%n", v2Hash,
                        agreement.segments(), 100 * agreement.exactRate(), agreement.meanChrf());
                // the same weights under another tokenizer file's bytes: the two versions agree on every segment
                assertEquals(1.0, agreement.exactRate(), 1e-9);
                String status = FleetStatus.json(fleet, follower, metrics);
                assertTrue(status.contains("\"shadow\":{\"version\":\"" + v2Hash) && status.contains("\"exact_rate\":1.0"),
                        "/models shows the shadow and its agreement: " + status);
                assertEquals(0, failures.size(), "no dead letters: " + failures.keySet().stream().limit(5).toList());
            }
        }
    }

    private static int models(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "models";
        System.arraycopy(args, 0, all, 1, args.length);
        return ServiceMain.commandLine().execute(all);
    }

    /** Sends {@code n} requests with random keys and waits for each id's result: id → the version that answered. */
    private Map<String, String> translate(AppConfig config, KafkaProducer<byte[], byte[]> producer,
                                          KafkaConsumer<byte[], byte[]> consumer, String phase, int n) {
        return translate(config, producer, consumer, phase, n, i -> TEXTS[i % TEXTS.length]);
    }

    /** The same, with the text of the i-th request from {@code text}. */
    private Map<String, String> translate(AppConfig config, KafkaProducer<byte[], byte[]> producer,
                                          KafkaConsumer<byte[], byte[]> consumer, String phase, int n,
                                          IntFunction<String> text) {
        String topic = config.pipeline().requestsTopic();
        Serializer<TranslationRequest> ser = SerdeFactory.create(config.get(Settings.SERDE_CLASS),
                TranslationRequest.class, config.serdes()).serializer();
        Random random = new Random(phase.hashCode());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = phase + "-" + i;
            ids.add(id);
            byte[] key = new byte[12];
            random.nextBytes(key);
            TranslationRequest r = TranslationRequest.newBuilder().setId(id).setText(text.apply(i))
                    .setAttributes(Map.of()).build();
            producer.send(new ProducerRecord<>(topic, key, ser.serialize(topic, r)));
        }
        producer.flush();
        Deserializer<TranslationResult> res = SerdeFactory.create(config.get(Settings.SERDE_CLASS),
                TranslationResult.class, config.serdes()).deserializer();
        Deserializer<TranslationFailure> fail = SerdeFactory.create(config.get(Settings.SERDE_CLASS),
                TranslationFailure.class, config.serdes()).deserializer();
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (!ids.stream().allMatch(id -> results.containsKey(id) || failures.containsKey(id))) {
            assertTrue(System.nanoTime() < deadline, phase + ": not every request was answered in 180 s");
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.topic().equals(config.pipeline().translationsTopic())) {
                    TranslationResult t = res.deserialize(r.topic(), r.value());
                    results.put(t.getId(), t);
                    translationRecords++;
                } else {
                    TranslationFailure f = fail.deserialize(r.topic(), r.value());
                    failures.put(String.valueOf(f.getId()), f);
                }
            }
        }
        Map<String, String> versions = new HashMap<>();
        for (String id : ids) {
            TranslationResult r = results.get(id);
            assertTrue(r != null, id + " was dead-lettered: " + failures.get(id));
            versions.put(id, r.getModelVersion());
        }
        return versions;
    }

    private static KafkaProducer<byte[], byte[]> producer(AppConfig c) {
        Properties p = ClientProps.producer(c);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(AppConfig c) {
        Properties p = ClientProps.consumer(c);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (String t : List.of(c.pipeline().translationsTopic(), c.pipeline().failuresTopic())) {
            for (int i = 0; i < 3; i++) {
                parts.add(new TopicPartition(t, i));
            }
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        return consumer;
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited 120 s for " + what);
            Thread.sleep(100);
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        return to;
    }
}
