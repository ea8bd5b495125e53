package seq2seq.tools.embedded;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka cluster in this JVM (KRaft: brokers plus one separate controller), for `demo` and the tests.
 * Three combined broker+controller nodes lose their quorum in Kafka 4.3.1, so controllers are always separate.
 * Every blocking call has a timeout, so a broker that cannot start fails fast instead of hanging.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClusterTestKit cluster;
    private final int brokers;

    private EmbeddedKafka(KafkaClusterTestKit cluster, int brokers) {
        this.cluster = cluster;
        this.brokers = brokers;
    }

    /**
     * {@link #start} with System.out muted: the storage formatter prints to it instead of logging, and a command's
     * standard output is its own.
     */
    public static EmbeddedKafka startQuietly(int brokers) {
        PrintStream original = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return start(brokers);
        } finally {
            System.setOut(original);
        }
    }

    /** Starts {@code brokers} brokers and one controller; internal topics are replicated min(3, brokers) times. */
    public static EmbeddedKafka start(int brokers) {
        if (brokers < 1) {
            throw new IllegalArgumentException("brokers must be >= 1, got " + brokers);
        }
        long t0 = System.nanoTime();
        short rf = (short) Math.min(3, brokers);
        try {
            Path dir = Files.createTempDirectory("s2s-kafka-");
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(false)
                    .setNumBrokerNodes(brokers)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(dir)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .build();
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("offsets.topic.replication.factor", String.valueOf(rf))
                    .setConfigProp("transaction.state.log.replication.factor", String.valueOf(rf))
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("min.insync.replicas", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    // one partition each instead of 50: created on first use, 50 take seconds to come up
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "1")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setDeleteOnClose(true)
                    .build();
            EmbeddedKafka kafka = new EmbeddedKafka(cluster, brokers);
            CompletableFuture<Void> started = CompletableFuture.runAsync(() -> {
                try {
                    cluster.format();
                    cluster.startup();
                    cluster.waitForReadyBrokers();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                started.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                kafka.close();
                throw new IllegalStateException("embedded Kafka did not start within " + START_TIMEOUT.toSeconds() + " s", e);
            }
            LOG.info("embedded Kafka up: {} broker(s) + 1 controller at {} in {} ms", brokers, cluster.bootstrapServers(),
                    (System.nanoTime() - t0) / 1_000_000);
            return kafka;
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start embedded Kafka: " + e.getMessage(), e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public int brokerCount() {
        return brokers;
    }

    /** Shuts one broker down without touching the others (fault tests). Broker ids start at 0. */
    public void killBroker(int id) {
        var broker = cluster.brokers().get(id);
        if (broker == null) {
            throw new IllegalArgumentException("no broker " + id + "; brokers: " + cluster.brokers().keySet());
        }
        broker.shutdown();
    }

    @Override
    public void close() {
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
            try {
                cluster.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            closed.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("embedded Kafka did not close cleanly within {} s: {}", CLOSE_TIMEOUT.toSeconds(), e.toString());
        }
    }
}
