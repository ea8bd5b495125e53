package seq2seq.tools.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import seq2seq.tools.Main;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One pipeline instance as operators run it: the real {@code run} command in its own JVM, so that a test can SIGKILL
 * it like a crashed container. Read from outside only: its {@code /metrics} and {@code /health/ready} endpoints and
 * its log.
 */
final class InstanceProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RESTORED = Pattern.compile("task \\S+: (\\d+) buffered requests restored");

    final String name;
    final Path log;
    private final int opsPort;
    private final Process process;

    private InstanceProcess(String name, Path log, int opsPort, Process process) {
        this.name = name;
        this.log = log;
        this.opsPort = opsPort;
        this.process = process;
    }

    /** Writes {@code settings} (plus its own ops port) to a properties file and starts {@code run --config} on it. */
    static InstanceProcess start(String name, Map<String, String> settings, Path dir, Path logs) throws IOException {
        int port = KafkaProcesses.freePort();
        Properties p = new Properties();
        p.putAll(settings);
        p.put("ops.port", String.valueOf(port));
        p.put("ops.bind.address", "127.0.0.1");
        Path config = dir.resolve(name + ".properties");
        try (Writer w = Files.newBufferedWriter(config)) {
            p.store(w, "instance " + name);
        }
        Path log = logs.resolve("instance-" + name + ".log");
        Files.createDirectories(logs);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xms64m", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new InstanceProcess(name, log, port, process);
    }

    /** Waits until {@code /health/ready} answers 200 (models loaded, Kafka Streams RUNNING). */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready()) {
            if (!process.isAlive()) {
                throw new AssertionError("instance " + name + " exited with " + process.exitValue() + "; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("instance " + name + " not ready within " + timeout.toSeconds() + " s; see " + log);
            }
            Thread.sleep(100);
        }
    }

    boolean ready() {
        try {
            return get("/health/ready").statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The sum of the samples of one metric on {@code /metrics} whose labels contain every {@code label="value"} in
     * {@code labels}; 0 when there is none.
     */
    double metric(String name, String... labels) throws IOException {
        double sum = 0;
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + " ") || line.startsWith(name + "{"))) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= line.contains(l);
            }
            if (all) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** The input partitions of its active tasks and its standby task count, from {@code /status.json}. */
    Assignment assignment(String requestsTopic) throws IOException {
        JsonNode status = JSON.readTree(get("/status.json").body());
        Set<Integer> active = new TreeSet<>();
        status.path("partitions").forEach(p -> {
            String tp = p.asText();
            if (tp.startsWith(requestsTopic + "-")) {
                active.add(Integer.parseInt(tp.substring(requestsTopic.length() + 1)));
            }
        });
        return new Assignment(active, status.path("standbyTasks").asInt());
    }

    /** The version of {@code model} it serves as stable now, from {@code /models}; null when it has no such model. */
    String stableVersion(String model) throws IOException {
        for (JsonNode m : JSON.readTree(get("/models").body())) {
            if (model.equals(m.path("name").asText())) {
                return m.path("stable").path("version").asText(null);
            }
        }
        return null;
    }

    /** active input partitions and standby tasks of one instance */
    record Assignment(Set<Integer> active, int standbyTasks) {
    }

    /** Buffered requests its tasks found in their restored buffers and ran again, from its log. */
    int restoredBufferedRequests() throws IOException {
        int n = 0;
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher m = RESTORED.matcher(line);
            if (m.find()) {
                n += Integer.parseInt(m.group(1));
            }
        }
        return n;
    }

    /** Log lines containing {@code text}. */
    List<String> logLines(String text) throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains(text)).toList();
    }

    /** SIGKILL: no commit, no clean close, an open transaction left behind. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("instance " + name + " did not die");
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    private HttpResponse<String> get(String path) throws IOException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM: a clean stop that leaves the group
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
