package seq2seq.testing;

import java.util.List;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import seq2seq.service.Topics;
import seq2seq.tools.embedded.EmbeddedKafka;
import seq2seq.tools.embedded.EmbeddedRegistry;

/**
 * JUnit 5 extension: a real KRaft cluster (and, if asked, the embedded schema registry) for one test class.
 * <pre>
 * {@literal @}RegisterExtension
 * static final EmbeddedCluster CLUSTER = EmbeddedCluster.brokers(1).withRegistry();
 * ... CLUSTER.bootstrapServers(), CLUSTER.registryUrl(), CLUSTER.createTopics(2, "in", "out")
 * </pre>
 * Started before the class's first test, closed after its last (registry first, then the brokers).
 */
public final class EmbeddedCluster implements BeforeAllCallback, AfterAllCallback {
    /** brokers to start (plus one separate controller) */
    private final int brokerCount;
    /** whether to start the registry too */
    private final boolean registryWanted;
    /** the running cluster, between beforeAll and afterAll */
    private EmbeddedKafka kafka;
    /** the running registry, or null */
    private EmbeddedRegistry registry;

    private EmbeddedCluster(int brokerCount, boolean registryWanted) {
        this.brokerCount = brokerCount;
        this.registryWanted = registryWanted;
    }

    public static EmbeddedCluster brokers(int n) {
        return new EmbeddedCluster(n, false);
    }

    public EmbeddedCluster withRegistry() {
        return new EmbeddedCluster(brokerCount, true);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        kafka = EmbeddedKafka.start(brokerCount);
        if (registryWanted) {
            registry = EmbeddedRegistry.start(kafka.bootstrapServers());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (registry != null) {
            registry.close();
            registry = null;
        }
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    public EmbeddedKafka kafka() {
        return require(kafka, "cluster");
    }

    public String bootstrapServers() {
        return kafka().bootstrapServers();
    }

    public EmbeddedRegistry registry() {
        return require(registry, "registry (use withRegistry())");
    }

    public String registryUrl() {
        return registry().url();
    }

    /** Closes the registry and starts a new one on the same cluster; it reloads its schemas from _schemas. */
    public EmbeddedRegistry restartRegistry() {
        registry().close();
        registry = EmbeddedRegistry.start(kafka().bootstrapServers());
        return registry;
    }

    /** Creates the topics (kept if they exist), replicated min(3, brokers) times. */
    public void createTopics(int partitions, String... topics) {
        Topics.create(bootstrapServers(), List.of(topics), partitions, (short) Math.min(3, brokerCount));
    }

    private static <T> T require(T value, String what) {
        if (value == null) {
            throw new IllegalStateException("the embedded " + what + " is not running: register EmbeddedCluster with "
                    + "@RegisterExtension on a static field");
        }
        return value;
    }
}
