package seq2seq.tools.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The registry's state, kept as Confluent's is, in the compacted topic {@code _schemas}: every schema version and
 * config change is a record there; the maps here are what replaying it gives. Not thread-safe: the registry calls it
 * under its lock.
 */
final class SchemaStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaStore.class);
    static final String TOPIC = "_schemas";
    private static final TopicPartition LOG_PARTITION = new TopicPartition(TOPIC, 0);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration IO_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaProducer<String, String> producer;
    /** reader of _schemas, the registry's source of truth */
    private final KafkaConsumer<String, String> topicReader;
    final Map<Integer, RegisteredSchema> byId = new LinkedHashMap<>();
    final Map<String, List<RegisteredSchema>> bySubject = new LinkedHashMap<>();
    /** highest version number ever given per subject, deleted ones included (numbers are never reused) */
    final Map<String, Integer> lastVersion = new LinkedHashMap<>();
    final Map<String, String> subjectLevels = new LinkedHashMap<>();
    String globalLevel = "BACKWARD";

    /** Creates {@code _schemas} if needed and replays it. */
    SchemaStore(String bootstrapServers) {
        ensureTopic(bootstrapServers);
        this.topicReader = openReader(bootstrapServers);
        catchUp();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) IO_TIMEOUT.toMillis());
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static void ensureTopic(String bootstrap) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            int brokers = admin.describeCluster().nodes().get(IO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
            NewTopic t = new NewTopic(TOPIC, 1, (short) Math.min(3, brokers))
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(t)).all().get(IO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create " + TOPIC + ": " + e.getCause(), e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + TOPIC + " on " + bootstrap + ": " + e, e);
        }
    }

    private static KafkaConsumer<String, String> openReader(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20); // a catch-up must not wait on an empty fetch
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        c.assign(List.of(LOG_PARTITION));
        c.seekToBeginning(List.of(LOG_PARTITION));
        return c;
    }

    /**
     * Reads {@code _schemas} up to its current end, applying what it has not seen yet: at start-up that restores every
     * schema, and before each request it picks up what another registry on the same cluster wrote (ids stay unique).
     */
    void catchUp() {
        long end = topicReader.endOffsets(List.of(LOG_PARTITION), IO_TIMEOUT).get(LOG_PARTITION);
        long deadline = System.nanoTime() + IO_TIMEOUT.toNanos();
        while (topicReader.position(LOG_PARTITION, IO_TIMEOUT) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + TOPIC + " to its end offset " + end);
            }
            for (ConsumerRecord<String, String> r : topicReader.poll(Duration.ofMillis(200))) {
                apply(r.key(), r.value());
            }
        }
    }

    private void apply(String key, String value) {
        if (key == null || value == null) {
            return;
        }
        try {
            JsonNode k = JSON.readTree(key);
            JsonNode v = JSON.readTree(value);
            if ("SCHEMA".equals(k.path("keytype").asText())) {
                String text = v.get("schema").asText();
                RegisteredSchema r = new RegisteredSchema(v.get("id").asInt(), v.get("version").asInt(), new Schema.Parser().parse(text), text);
                String subject = v.get("subject").asText();
                byId.putIfAbsent(r.id(), r); // an id keeps its schema, even after its versions are deleted
                lastVersion.merge(subject, r.version(), Math::max);
                List<RegisteredSchema> live = bySubject.computeIfAbsent(subject, x -> new ArrayList<>());
                live.removeIf(x -> x.version() == r.version());
                if (!v.path("deleted").asBoolean(false)) {
                    live.add(r);
                    live.sort(java.util.Comparator.comparingInt(RegisteredSchema::version));
                }
                if (live.isEmpty()) {
                    bySubject.remove(subject);
                }
            } else if ("CONFIG".equals(k.path("keytype").asText())) {
                String level = v.get("compatibilityLevel").asText();
                if (k.path("subject").isTextual()) {
                    subjectLevels.put(k.get("subject").asText(), level);
                } else {
                    globalLevel = level;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("skipping unreadable {} record {}: {}", TOPIC, key, e.toString());
        }
    }

    private void append(ObjectNode key, ObjectNode value) {
        try {
            producer.send(new ProducerRecord<>(TOPIC, 0, key.toString(), value.toString()))
                    .get(IO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to " + TOPIC + ": " + e, e);
        }
        catchUp(); // applies the record just written, in log order
    }

    void appendSchema(String subject, int version, int id, String schema, boolean deleted) {
        ObjectNode key = JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", subject).put("version", version)
                .put("magic", 1);
        ObjectNode value = JSON.createObjectNode().put("subject", subject).put("version", version).put("id", id)
                .put("schema", schema).put("deleted", deleted);
        append(key, value);
    }

    /** Writes a compatibility level: of {@code subject}, or the registry's when it is null. */
    void appendConfig(String subject, String level) {
        ObjectNode key = JSON.createObjectNode().put("keytype", "CONFIG").put("magic", 0);
        if (subject != null) {
            key.put("subject", subject);
        } else {
            key.putNull("subject");
        }
        append(key, JSON.createObjectNode().put("compatibilityLevel", level));
    }

    RegisteredSchema version(String subject, String which) {
        List<RegisteredSchema> versions = bySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            return null;
        }
        if (which.equals("latest") || which.equals("-1")) {
            return versions.get(versions.size() - 1);
        }
        int v = Integer.parseInt(which);
        return versions.stream().filter(r -> r.version() == v).findFirst().orElse(null);
    }

    String level(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        topicReader.close(Duration.ofSeconds(5));
    }
}
