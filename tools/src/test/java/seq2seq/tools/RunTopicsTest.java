package seq2seq.tools;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.avro.TranslationRequest;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.streams.SerdeFactory;
import seq2seq.tools.embedded.EmbeddedRegistry;
import seq2seq.tools.faults.KafkaProcesses;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `run` against a plain KRaft broker started as an operator would from Kafka's quickstart (its own process, default
 * settings, topic auto-creation on, none of the project's topics): it stops at once naming each missing topic and the
 * command that creates it, or, with topics.create=true, creates them with topics.partitions and translates.
 */
@Timeout(240)
class RunTopicsTest {
    @TempDir
    Path dir;

    @Test
    void missingTopicsStopTheStartWithTheirNamesOrAreCreated() throws Exception {
        Path logs = Path.of(System.getProperty("build.dir", "target"), "run-topics").toAbsolutePath();
        try (KafkaProcesses kafka = KafkaProcesses.startSingleNode(dir.resolve("kafka"), logs);
             EmbeddedRegistry registry = EmbeddedRegistry.start(kafka.bootstrapServers())) {
            Map<String, String> shared = FailoverTest.sharedConfig(kafka.bootstrapServers(), registry, "run-topics-test");
            Path config = write(shared, Map.of("kafka.state.dir", dir.resolve("state").toString(), "ops.port", "0"));

            StringWriter err = new StringWriter();
            var cl = Main.commandLine();
            cl.setErr(new PrintWriter(err, true));
            assertEquals(2, cl.execute("run", "--config", config.toString()), err.toString());
            for (String topic : List.of("translation-requests", "translations", "translation-failures")) {
                assertTrue(err.toString().contains("--create --topic " + topic + " --partitions 6"), err.toString());
            }
            assertTrue(err.toString().contains("topics.create=true"), err.toString());
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                assertFalse(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("translation-requests"),
                        "nothing was created without topics.create");
            }

            Path creating = write(shared, Map.of("kafka.state.dir", dir.resolve("state").toString(), "ops.port", "0",
                    Settings.TOPICS_CREATE.name(), "true", Settings.TOPICS_PARTITIONS.name(), "2"));
            File log = dir.resolve("run.log").toFile();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process run = new ProcessBuilder(java, "-Xmx768m", "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "run", "--config", creating.toString())
                    .redirectErrorStream(true).redirectOutput(log).start();
            try {
                AppConfig c = AppConfig.of(shared);
                try (OutputReader out = awaitTopics(kafka.bootstrapServers(), c, run, log);
                     KafkaProducer<byte[], byte[]> producer = FailoverTest.producer(c)) {
                    String topic = c.pipeline().requestsTopic();
                    Serializer<TranslationRequest> ser = SerdeFactory.create(c.get(Settings.SERDE_CLASS),
                            TranslationRequest.class, c.serdes()).serializer();
                    TranslationRequest r = TranslationRequest.newBuilder().setId("after-create").setText("The house is small.")
                            .setAttributes(Map.of()).build();
                    producer.send(new ProducerRecord<>(topic, "k".getBytes(StandardCharsets.UTF_8), ser.serialize(topic, r)));
                    producer.flush();
                    assertTrue(out.await(() -> out.seen.containsKey("after-create"), Duration.ofSeconds(120)),
                            "no translation from the instance that created its topics; its log:\n" + Files.readString(log.toPath()));
                    assertEquals(1, out.translations.size());
                }
                assertTrue(Files.readString(log.toPath()).contains("created topic(s)"), Files.readString(log.toPath()));
            } finally {
                run.destroy();
                assertTrue(run.waitFor(60, TimeUnit.SECONDS), "run did not stop on SIGTERM");
            }
            assertEquals(0, run.exitValue(), "a SIGTERM stop exits 0");
        }
    }

    /** Waits for the three topics `run` creates (2 partitions each) and returns a reader of its outputs. */
    private static OutputReader awaitTopics(String bootstrapServers, AppConfig c, Process run, File log) throws Exception {
        List<String> topics = List.of("translation-requests", "translations", "translation-failures");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!admin.listTopics().names().get(30, TimeUnit.SECONDS).containsAll(topics)) {
                assertTrue(run.isAlive(), "run exited with " + (run.isAlive() ? "" : run.exitValue()) + ": "
                        + Files.readString(log.toPath()));
                assertTrue(System.nanoTime() < deadline, "the topics were not created: " + Files.readString(log.toPath()));
                Thread.sleep(200);
            }
            for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                assertEquals(2, d.partitions().size(), d.name() + " has topics.partitions partitions");
            }
        }
        return new OutputReader(c, 2);
    }

    private Path write(Map<String, String> shared, Map<String, String> own) throws Exception {
        Path f = Files.createTempFile(dir, "run", ".properties");
        Properties p = new Properties();
        p.putAll(shared);
        p.putAll(own);
        try (Writer w = Files.newBufferedWriter(f)) {
            p.store(w, "run-topics-test");
        }
        return f;
    }
}
