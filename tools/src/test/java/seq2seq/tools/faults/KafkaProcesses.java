package seq2seq.tools.faults;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A KRaft cluster of real broker processes (one controller plus {@code brokers} brokers, each its own JVM running
 * {@code kafka.Kafka} from the test class path), so a fault test can SIGKILL a broker as a crashed machine would
 * be, and start it again on the same log folder. Three combined broker+controller nodes lose their quorum in this
 * Kafka version, hence the separate controller. Internal topics are replicated three times with
 * {@code min.insync.replicas=2}: one broker may be down without stopping writes.
 * <p>
 * {@link #startSingleNode} starts instead what an operator gets from Kafka's quickstart: one process that is broker and
 * controller, configured only with its listeners, its log folder and the quickstart's single-replica internal topics;
 * everything else, topic auto-creation included, is the broker's default.
 */
public final class KafkaProcesses implements AutoCloseable {
    private static final int CONTROLLER_ID = 100;
    /** the brokers' transaction.abort.timed.out.transaction.cleanup.interval.ms */
    static final int TRANSACTION_CLEANUP_MS = 1000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final Path logs;
    private final String clusterId = Uuid.randomUuid().toString();
    private final int controllerPort;
    private final int[] brokerPorts;
    private final Process[] brokers;
    /** one combined broker and controller, the quickstart's shape */
    private final boolean singleNode;
    private Process controller;

    private KafkaProcesses(Path dir, Path logs, int brokers, boolean singleNode) throws IOException {
        this.singleNode = singleNode;
        this.dir = dir;
        this.logs = logs;
        this.controllerPort = freePort();
        this.brokerPorts = new int[brokers];
        for (int i = 0; i < brokers; i++) {
            brokerPorts[i] = freePort();
        }
        this.brokers = new Process[brokers];
    }

    /** Formats the log folders and starts the controller and the brokers; returns once every broker answers. */
    static KafkaProcesses start(Path dir, Path logs, int brokers) throws Exception {
        Files.createDirectories(dir);
        Files.createDirectories(logs);
        KafkaProcesses k = new KafkaProcesses(dir, logs, brokers, false);
        try {
            k.formatAll();
            k.controller = k.launch("controller", k.nodeProperties(CONTROLLER_ID));
            for (int i = 0; i < brokers; i++) {
                k.brokers[i] = k.launch("broker-" + i, k.nodeProperties(i));
            }
            k.awaitBrokers(brokers);
            return k;
        } catch (Exception | AssertionError e) {
            k.close();
            throw e;
        }
    }

    /** Formats one log folder and starts one combined broker and controller; returns once it answers. */
    public static KafkaProcesses startSingleNode(Path dir, Path logs) throws Exception {
        Files.createDirectories(dir);
        Files.createDirectories(logs);
        KafkaProcesses k = new KafkaProcesses(dir, logs, 1, true);
        try {
            k.formatAll();
            k.brokers[0] = k.launch("broker-0", k.nodeProperties(0));
            k.awaitBrokers(1);
            return k;
        } catch (Exception | AssertionError e) {
            k.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        StringBuilder b = new StringBuilder();
        for (int port : brokerPorts) {
            b.append(b.isEmpty() ? "" : ",").append("127.0.0.1:").append(port);
        }
        return b.toString();
    }

    /** SIGKILL: no controlled shutdown, no flush; its replicas fall out of the ISR after the broker session timeout. */
    void kill(int broker) throws InterruptedException {
        brokers[broker].destroyForcibly();
        if (!brokers[broker].waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("broker " + broker + " did not die");
        }
    }

    /** Starts a killed broker again on its log folder and waits until the cluster counts it again. */
    void restart(int broker) throws Exception {
        brokers[broker] = launch("broker-" + broker, nodeProperties(broker));
        awaitBrokers(brokerPorts.length);
    }

    private void awaitBrokers(int expected) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(p)) {
            while (true) {
                checkAlive();
                try {
                    if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= expected) {
                        return;
                    }
                } catch (Exception notYet) {
                    // starting
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(expected + " brokers did not come up within " + START_TIMEOUT.toSeconds()
                            + " s; logs in " + logs);
                }
                Thread.sleep(250);
            }
        }
    }

    private void checkAlive() {
        if (singleNode) {
            if (!brokers[0].isAlive()) {
                throw new AssertionError("the broker exited with " + brokers[0].exitValue() + "; see " + logs.resolve("broker-0.log"));
            }
            return;
        }
        if (!controller.isAlive()) {
            throw new AssertionError("the controller exited with " + controller.exitValue() + "; see " + logs.resolve("controller.log"));
        }
    }

    private Properties nodeProperties(int nodeId) {
        if (singleNode) {
            return singleNodeProperties();
        }
        boolean isController = nodeId == CONTROLLER_ID;
        Properties p = new Properties();
        p.put("node.id", String.valueOf(nodeId));
        p.put("process.roles", isController ? "controller" : "broker");
        p.put("controller.quorum.voters", CONTROLLER_ID + "@127.0.0.1:" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", dir.resolve(isController ? "controller" : "broker-" + nodeId).toString());
        if (isController) {
            p.put("listeners", "CONTROLLER://127.0.0.1:" + controllerPort);
        } else {
            String listener = "PLAINTEXT://127.0.0.1:" + brokerPorts[nodeId];
            p.put("listeners", listener);
            p.put("advertised.listeners", listener);
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("default.replication.factor", "3");
            p.put("min.insync.replicas", "2");
            p.put("offsets.topic.replication.factor", "3");
            p.put("transaction.state.log.replication.factor", "3");
            p.put("transaction.state.log.min.isr", "2");
            // few partitions: fifty each take seconds to come up on two cores
            p.put("offsets.topic.num.partitions", "3");
            p.put("transaction.state.log.num.partitions", "3");
            p.put("group.initial.rebalance.delay.ms", "0");
            p.put("auto.create.topics.enable", "false");
            p.put("unclean.leader.election.enable", "false");
            // how often the coordinator looks for timed-out transactions (default 10 s): a killed instance's open
            // transaction holds back read_committed readers of its partitions until it is aborted; README says more
            p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", String.valueOf(TRANSACTION_CLEANUP_MS));
        }
        return p;
    }

    /** the quickstart's server.properties, with this machine's ports and folder */
    private Properties singleNodeProperties() {
        Properties p = new Properties();
        p.put("node.id", "0");
        p.put("process.roles", "broker,controller");
        p.put("controller.quorum.voters", "0@127.0.0.1:" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPorts[0] + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPorts[0]);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dir.resolve("broker-0").toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        return p;
    }

    private void formatAll() throws Exception {
        List<Process> formats = new ArrayList<>();
        List<Integer> ids = new ArrayList<>(singleNode ? List.<Integer>of() : List.of(CONTROLLER_ID));
        for (int i = 0; i < brokerPorts.length; i++) {
            ids.add(i);
        }
        for (int id : ids) {
            Path config = write("format-" + id, nodeProperties(id));
            formats.add(java(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), "kafka.tools.StorageTool",
                    List.of("format", "-t", clusterId, "-c", config.toString()), logs.resolve("format-" + id + ".log")));
        }
        for (Process f : formats) {
            if (!f.waitFor(60, TimeUnit.SECONDS) || f.exitValue() != 0) {
                throw new AssertionError("formatting a Kafka log folder failed; see " + logs);
            }
        }
    }

    private Process launch(String name, Properties props) throws IOException {
        Path config = write(name, props);
        // brokers here carry little load: a small heap and the quick compiler leave the cores to the instances
        return java(List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), "kafka.Kafka",
                List.of(config.toString()), logs.resolve(name + ".log"));
    }

    private Path write(String name, Properties props) throws IOException {
        Path config = dir.resolve(name + ".properties");
        try (Writer w = Files.newBufferedWriter(config)) {
            props.store(w, name);
        }
        return config;
    }

    private static Process java(List<String> jvmOptions, String mainClass, List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        Files.createDirectories(log.getParent());
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Process b : brokers) {
            if (b != null) {
                b.destroyForcibly();
            }
        }
        if (controller != null) {
            controller.destroyForcibly();
        }
        for (Process b : brokers) {
            waitQuietly(b);
        }
        waitQuietly(controller);
    }

    private static void waitQuietly(Process p) {
        if (p == null) {
            return;
        }
        try {
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
