package seq2seq.tools.embedded;

import seq2seq.service.Topics;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.streams.PipelineSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Kafka broker (one KRaft node) and a schema registry in this process, and the configuration that points a pipeline
 * at them: what `demo` and `bench --kafka` run on. Closing it stops both and deletes the state folders it made.
 */
public final class EmbeddedStack implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final EmbeddedRegistry registry;
    /** pipelines' state folders made by {@link #config}, deleted on close */
    private final java.util.List<Path> stateDirs = new java.util.ArrayList<>();

    private EmbeddedStack(EmbeddedKafka kafka, EmbeddedRegistry registry) {
        this.kafka = kafka;
        this.registry = registry;
    }

    /** Starts the broker (its storage formatter's prints to stdout are muted) and then the registry. */
    public static EmbeddedStack start() {
        EmbeddedKafka kafka = EmbeddedKafka.startQuietly(1);
        try {
            return new EmbeddedStack(kafka, EmbeddedRegistry.start(kafka.bootstrapServers()));
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url();
    }

    /**
     * A pipeline's configuration on this stack: its application id, a fresh state folder, replication 1, and
     * {@code settings} (configuration keys) on top.
     */
    public AppConfig config(String applicationId, Map<String, String> settings) throws IOException {
        Path state = Files.createTempDirectory("s2s-" + applicationId + "-state");
        stateDirs.add(state);
        Map<String, String> c = new HashMap<>();
        c.put(Settings.BOOTSTRAP_SERVERS.name(), bootstrapServers());
        c.put(Settings.REGISTRY_URL.name(), registryUrl());
        c.put(Settings.APPLICATION_ID.name(), applicationId);
        c.put(Settings.REPLICATION_FACTOR.name(), "1");
        c.put(Settings.KAFKA_PREFIX + "state.dir", state.toString());
        c.putAll(settings);
        return AppConfig.of(c);
    }

    /** Creates the pipeline's three topics with {@code partitions} each. */
    public void createTopics(PipelineSettings s, int partitions) {
        Topics.create(bootstrapServers(), s, partitions, (short) 1);
    }

    @Override
    public void close() {
        registry.close();
        kafka.close();
        stateDirs.forEach(EmbeddedStack::deleteQuietly);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // a temporary folder; the OS cleans it up eventually
        }
    }
}
