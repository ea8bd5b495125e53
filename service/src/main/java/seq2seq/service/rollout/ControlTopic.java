package seq2seq.service.rollout;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import seq2seq.avro.ModelDeployment;
import seq2seq.service.ClientProps;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.streams.SerdeFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The compacted control topic of {@link ModelDeployment}s ({@code models.control.topic}): one partition, keyed by
 * model name, so a reader from the beginning ends with the latest wanted versions of every model. Instances follow
 * it ({@link DeploymentFollower}); {@code models deploy|promote|rollback} write it.
 */
public final class ControlTopic {
    private final AppConfig config;
    private final String topic;
    private final Serde<ModelDeployment> serde;

    private ControlTopic(AppConfig config, String topic) {
        this.config = config;
        this.topic = topic;
        this.serde = SerdeFactory.create(config.get(Settings.SERDE_CLASS), ModelDeployment.class, config.serdes());
    }

    /** The configuration's control topic, or empty when {@code models.control.topic} is empty (rollout off). */
    public static Optional<ControlTopic> of(AppConfig config) {
        String t = config.get(Settings.MODELS_CONTROL_TOPIC);
        return t == null || t.isBlank() ? Optional.empty() : Optional.of(new ControlTopic(config, t.strip()));
    }

    public String name() {
        return topic;
    }

    /** Whether the topic exists. */
    public boolean exists() {
        try (Admin admin = Admin.create(ClientProps.admin(config))) {
            return admin.listTopics().names().get(60, TimeUnit.SECONDS).contains(topic);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot list the topics on " + config.get(Settings.BOOTSTRAP_SERVERS) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        }
    }

    /** Creates the topic (one partition, compacted) unless it exists; true if this call created it. */
    public boolean create() {
        int replication = config.getInt(Settings.TOPICS_REPLICATION);
        NewTopic t = new NewTopic(topic, Optional.of(1), replication > 0 ? Optional.of((short) replication) : Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        try (Admin admin = Admin.create(ClientProps.admin(config))) {
            admin.createTopics(List.of(t)).all().get(60, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new IllegalStateException("cannot create topic " + topic + ": " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("creating topic " + topic + " took over 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + topic, e);
        }
    }

    /** A consumer of the topic's raw records, not in any group (every reader sees every record). */
    KafkaConsumer<byte[], byte[]> consumer() {
        var props = ClientProps.consumer(config);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The topic's partitions, or none if it does not exist. */
    List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        return infos == null ? List.of() : infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    /** The record's deployment, or null for a tombstone; throws naming the offset if it cannot be read. */
    ModelDeployment decode(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            return null;
        }
        try {
            return serde.deserializer().deserialize(topic, r.value());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read the deployment at " + topic + "-" + r.partition() + "@"
                    + r.offset() + ": " + e.getMessage(), e);
        }
    }

    /** The model name a record is about: its key. */
    static String name(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
    }

    /** Reads the topic from its beginning to its end: the latest deployment of each model, in first-seen order. */
    public Map<String, ModelDeployment> readAll() {
        Map<String, ModelDeployment> latest = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> parts = partitions(consumer);
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " to its end took over 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    ModelDeployment d = decode(r);
                    if (d == null) {
                        latest.remove(name(r));
                    } else {
                        latest.put(name(r), d);
                    }
                }
            }
        }
        return latest;
    }

    /** Writes a deployment, keyed by its model name, and waits until the brokers have it. */
    public void write(ModelDeployment d) {
        var props = ClientProps.producer(config);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, d.getName().getBytes(StandardCharsets.UTF_8),
                    serde.serializer().serialize(topic, d))).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write to " + topic + ": " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("writing to " + topic + " took over 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + topic, e);
        }
    }
}
