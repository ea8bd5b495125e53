package seq2seq.service.rollout;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import seq2seq.avro.ModelDeployment;
import seq2seq.service.LoadedModels;
import seq2seq.service.config.AppConfig;
import seq2seq.streams.ModelFleet;
import seq2seq.streams.ModelVersion;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Follows the control topic and makes this instance serve what it asks: for each model's latest
 * {@link ModelDeployment}, loads the versions it names that are not loaded yet (in the background, on this
 * follower's thread, while the current versions keep serving), then switches the model's routing at once
 * ({@link ModelFleet#apply}); versions no longer named are unloaded by the fleet once their last batch is done.
 * A deployment that cannot be applied (a broken bundle, too little memory, a wrong hash) leaves the versions
 * serving now as they are, with the reason in the log, in {@link #errors()} and in a failure count.
 */
public final class DeploymentFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeploymentFollower.class);

    private final ControlTopic topic;
    private final ModelFleet fleet;
    private final LoadedModels models;
    private final AppConfig config;
    /** the folder each version in the fleet was loaded from; guarded by itself */
    private final Map<ModelVersion, Path> dirs = new IdentityHashMap<>();
    /** per model: why its latest deployment is not applied; absent when it is */
    private final Map<String, String> errors = new ConcurrentHashMap<>();
    /** per model: the latest deployment read, applied or not */
    private final Map<String, ModelDeployment> wanted = new ConcurrentHashMap<>();
    /** deployments that could not be applied, since start */
    private final AtomicLong failures = new AtomicLong();
    /** the consumer, used by catchUp() and then only by the follower thread */
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean stopping;
    /** whether the topic was missing when last looked at (logged once per change) */
    private boolean missing;

    public DeploymentFollower(ControlTopic topic, ModelFleet fleet, LoadedModels models, AppConfig config) {
        this.topic = topic;
        this.fleet = fleet;
        this.models = models;
        this.config = config;
        for (AppConfig.ModelSpec spec : config.models()) {
            ModelFleet.Deployment d = fleet.deployment(spec.name());
            if (d != null) {
                dirs.put(d.stable(), spec.dir().toAbsolutePath().normalize());
            }
        }
        this.consumer = topic.consumer();
        this.thread = new Thread(this::follow, "model-deployments");
        this.thread.setDaemon(true);
    }

    /**
     * Reads the control topic to its end and applies each model's latest deployment, before the stream starts: a
     * restarted instance serves the versions deployed, not the configured ones.
     */
    public void catchUp() {
        List<TopicPartition> parts = assign();
        if (parts.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(parts);
        Map<String, ConsumerRecord<byte[], byte[]>> latest = new LinkedHashMap<>();
        while (!stopping && parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            consumer.poll(Duration.ofMillis(200)).forEach(r -> latest.put(ControlTopic.name(r), r));
        }
        latest.values().forEach(this::apply);
        log.info("control topic {} read to its end: {} model deployment(s)", topic.name(), latest.size());
    }

    /** Follows the topic from where {@link #catchUp} stopped, on a thread of its own. */
    public void start() {
        thread.start();
    }

    private void follow() {
        try {
            while (!stopping) {
                if (consumer.assignment().isEmpty() && assign().isEmpty()) {
                    sleep(Duration.ofSeconds(5));
                    continue;
                }
                Map<String, ConsumerRecord<byte[], byte[]>> latest = new LinkedHashMap<>();
                consumer.poll(Duration.ofMillis(500)).forEach(r -> latest.put(ControlTopic.name(r), r));
                latest.values().forEach(this::apply);
            }
        } catch (WakeupException e) {
            if (!stopping) {
                throw e;
            }
        } catch (RuntimeException e) {
            log.error("following the control topic {} failed; model versions stay as they are until a restart", topic.name(), e);
        }
    }

    /** Assigns the topic's partitions from their beginning; none (and a log line) when the topic does not exist. */
    private List<TopicPartition> assign() {
        List<TopicPartition> parts = topic.partitions(consumer);
        if (parts.isEmpty()) {
            if (!missing) {
                log.warn("control topic {} does not exist: model versions come from the configuration until it does"
                        + " (`models deploy` creates it)", topic.name());
            }
            missing = true;
            return parts;
        }
        missing = false;
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        return parts;
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        String name = ControlTopic.name(r);
        String at = topic.name() + "-" + r.partition() + "@" + r.offset();
        List<ModelVersion> fresh = new ArrayList<>();
        try {
            ModelDeployment d = topic.decode(r);
            if (d == null) {
                wanted.remove(name);
            } else {
                wanted.put(name, d);
            }
            WantedVersions w = WantedVersions.of(d, configuredDir(name));
            boolean wantsCandidate = d != null && (d.getCanaryPercent() < 100 || d.getShadow());
            if (w.stableDir() == null || (wantsCandidate && w.candidateDir() == null)) {
                throw new IllegalArgumentException("model '" + name + "' has no folder in this instance's configuration"
                        + " and the deployment names none");
            }
            ModelVersion stable = resolve(name, w.stableDir(), w.stableHash(), fresh);
            ModelVersion candidate = w.candidateDir() == null ? null : resolve(name, w.candidateDir(), w.candidateHash(), fresh);
            fleet.apply(new ModelFleet.Deployment(name, stable, candidate, w.canaryPercent(), w.shadow()));
            errors.remove(name);
            log.info("model {}: deployment {} applied: stable {} from {}{}", name, at, stable.version(), w.stableDir(),
                    candidate == null ? "" : (w.shadow() ? ", shadow " : ", canary " + w.canaryPercent() + " % ")
                            + candidate.version() + " from " + w.candidateDir());
        } catch (RuntimeException e) {
            fresh.forEach(models::unload);
            synchronized (dirs) {
                fresh.forEach(dirs::remove);
            }
            failures.incrementAndGet();
            String why = "deployment " + at + " not applied: " + e.getMessage();
            errors.put(name, why);
            log.error("model {}: {}; the versions serving now stay", name, why, e);
        }
    }

    /** The folder the configuration names for a model, or null. */
    private Path configuredDir(String name) {
        return config.models().stream().filter(s -> s.name().equals(name)).map(s -> s.dir().toAbsolutePath().normalize())
                .findFirst().orElse(null);
    }

    /** The model's version from {@code dir}: one it serves now, else loaded (and listed in {@code fresh}). */
    private ModelVersion resolve(String name, Path dir, String hash, List<ModelVersion> fresh) {
        Path folder = dir.toAbsolutePath().normalize();
        ModelFleet.Deployment now = fleet.deployment(name);
        if (now != null) {
            for (ModelVersion v : new ModelVersion[] {now.stable(), now.candidate()}) {
                if (v != null && !v.unloaded() && folder.equals(dirOf(v)) && (hash == null || hash.equals(v.version()))) {
                    return v;
                }
            }
        }
        for (ModelVersion v : fresh) {
            if (folder.equals(dirOf(v))) {
                return v;
            }
        }
        log.info("model {}: loading a version from {} in the background", name, folder);
        ModelVersion v = models.loadVersion(name, folder, hash);
        fresh.add(v);
        synchronized (dirs) {
            dirs.put(v, folder);
        }
        return v;
    }

    /** The folder a version was loaded from, or null. */
    public Path dirOf(ModelVersion v) {
        synchronized (dirs) {
            return dirs.get(v);
        }
    }

    /** Per model: why its latest deployment is not applied. */
    public Map<String, String> errors() {
        return Map.copyOf(errors);
    }

    /** Per model: the latest deployment read from the topic. */
    public Map<String, ModelDeployment> wanted() {
        return Map.copyOf(wanted);
    }

    /** Deployments that could not be applied since start. */
    public long failures() {
        return failures.get();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopping = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
