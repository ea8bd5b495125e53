package seq2seq.tools.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;
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

/**
 * A schema registry that speaks the Confluent Schema Registry REST API, for `demo` and the tests (Confluent's server
 * cannot be installed here). Like Confluent's, it keeps every schema and config change in a compacted Kafka topic
 * ({@code _schemas}), replays it at start-up, so ids survive a restart, and reads what is new there before each request, so
 * several registries on one cluster share ids; compatibility is checked for real with
 * Avro's {@link SchemaCompatibility} (BACKWARD by default, per subject or global, transitive forms included).
 * One writer at a time (synchronized), which is all a single embedded instance needs.
 */
public final class EmbeddedRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRegistry.class);
    public static final String TOPIC = "_schemas";
    private static final TopicPartition LOG_PARTITION = new TopicPartition(TOPIC, 0);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration IO_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> LEVELS = Set.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
            "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");

    private record Registered(int id, int version, Schema schema, String text) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "embedded-registry");
        t.setDaemon(true);
        return t;
    });
    private final KafkaProducer<String, String> producer;
    /** reader of _schemas, the registry's source of truth; used only inside synchronized route() and the constructor */
    private final KafkaConsumer<String, String> topicReader;
    private final Map<Integer, Registered> byId = new LinkedHashMap<>();
    private final Map<String, List<Registered>> bySubject = new LinkedHashMap<>();
    /** highest version number ever given per subject, deleted ones included (numbers are never reused) */
    private final Map<String, Integer> lastVersion = new LinkedHashMap<>();
    private final Map<String, String> subjectLevels = new LinkedHashMap<>();
    private String globalLevel = "BACKWARD";
    /** Expected Authorization header value, or null when the registry is open (the default). */
    private final String requiredAuthorization;

    private EmbeddedRegistry(String bootstrapServers, int port, String requiredUserInfo) throws IOException {
        this.requiredAuthorization = requiredUserInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(requiredUserInfo.getBytes(StandardCharsets.UTF_8));
        ensureTopic(bootstrapServers);
        this.topicReader = openReader(bootstrapServers);
        catchUp();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) IO_TIMEOUT.toMillis());
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts on a free port, keeping its schemas in {@code _schemas} on the given cluster. */
    public static EmbeddedRegistry start(String bootstrapServers) {
        return start(bootstrapServers, 0);
    }

    public static EmbeddedRegistry start(String bootstrapServers, int port) {
        return start(bootstrapServers, port, null);
    }

    /**
     * Starts on {@code port} (0 = a free one); with {@code requiredUserInfo} ("user:password") every request must carry
     * those HTTP basic credentials, as a secured Confluent registry would demand (401 otherwise).
     */
    public static EmbeddedRegistry start(String bootstrapServers, int port, String requiredUserInfo) {
        try {
            EmbeddedRegistry r = new EmbeddedRegistry(bootstrapServers, port, requiredUserInfo);
            LOG.info("embedded schema registry at {} ({} schemas restored from {})", r.url(), r.byId.size(), TOPIC);
            return r;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded schema registry: " + e.getMessage(), e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        producer.close(Duration.ofSeconds(5));
        synchronized (this) { // waits for a request still in route()
            topicReader.close(Duration.ofSeconds(5));
        }
    }

    // ---- storage: the _schemas topic -------------------------------------------------------------------------

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
    private void catchUp() {
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
                Registered r = new Registered(v.get("id").asInt(), v.get("version").asInt(), new Schema.Parser().parse(text), text);
                String subject = v.get("subject").asText();
                byId.putIfAbsent(r.id(), r); // an id keeps its schema, even after its versions are deleted
                lastVersion.merge(subject, r.version(), Math::max);
                List<Registered> live = bySubject.computeIfAbsent(subject, x -> new ArrayList<>());
                live.removeIf(x -> x.version() == r.version());
                if (!v.path("deleted").asBoolean(false)) {
                    live.add(r);
                    live.sort(java.util.Comparator.comparingInt(Registered::version));
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

    // ---- the REST API -----------------------------------------------------------------------------------------

    private record Reply(int status, Object body) {
        static Reply ok(Object body) {
            return new Reply(200, body);
        }

        static Reply error(int status, int code, String message) {
            ObjectNode n = JSON.createObjectNode().put("error_code", code).put("message", message);
            return new Reply(status, n);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        Reply reply;
        try {
            String path = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            String body;
            try (InputStream in = ex.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (requiredAuthorization != null
                    && !requiredAuthorization.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                reply = Reply.error(401, 401, "Unauthorized: missing or wrong basic credentials");
            } else {
                reply = route(ex.getRequestMethod(), path, query == null ? "" : query, body);
            }
        } catch (SchemaParseException e) {
            reply = Reply.error(422, 42201, "Invalid schema: " + e.getMessage());
        } catch (JsonProcessingException e) {
            reply = Reply.error(400, 400, "Request body is not JSON: " + e.getOriginalMessage());
        } catch (NumberFormatException e) {
            reply = Reply.error(404, 404, "HTTP 404 Not Found: " + ex.getRequestURI().getRawPath() + " (" + e.getMessage() + ")");
        } catch (IOException | RuntimeException e) {
            LOG.warn("registry request {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            reply = Reply.error(500, 50001, "Error in the backend data store: " + e.getMessage());
        }
        byte[] out = JSON.writeValueAsBytes(reply.body());
        ex.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
        ex.sendResponseHeaders(reply.status(), out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    private synchronized Reply route(String method, String path, String query, String body) throws IOException {
        catchUp();
        String[] p = path.replaceAll("^/+|/+$", "").split("/");
        for (int i = 0; i < p.length; i++) {
            p[i] = URLDecoder.decode(p[i].replace("+", "%2B"), StandardCharsets.UTF_8); // a path keeps '+' literally
        }
        boolean get = method.equals("GET");
        boolean post = method.equals("POST");
        boolean put = method.equals("PUT");
        if (p.length == 1 && p[0].isEmpty() && get) {
            return Reply.ok(JSON.createObjectNode());
        }
        switch (p[0]) {
            case "subjects" -> {
                if (p.length == 1 && get) {
                    ArrayNode a = JSON.createArrayNode();
                    bySubject.keySet().forEach(a::add);
                    return Reply.ok(a);
                }
                if (p.length == 1) {
                    break;
                }
                String subject = p[1];
                if (p.length == 2 && post) {
                    return lookup(subject, parse(body));
                }
                if (p.length == 2 && method.equals("DELETE")) {
                    return delete(subject, null);
                }
                if (p.length == 4 && p[2].equals("versions") && method.equals("DELETE")) {
                    return delete(subject, p[3]);
                }
                if (p.length == 3 && p[2].equals("versions") && post) {
                    return register(subject, parse(body));
                }
                if (p.length == 3 && p[2].equals("versions") && get) {
                    List<Registered> versions = bySubject.get(subject);
                    if (versions == null) {
                        return subjectNotFound(subject);
                    }
                    ArrayNode a = JSON.createArrayNode();
                    versions.forEach(r -> a.add(r.version()));
                    return Reply.ok(a);
                }
                if (p.length == 4 && p[2].equals("versions") && get) {
                    Registered r = version(subject, p[3]);
                    if (r == null) {
                        return bySubject.containsKey(subject)
                                ? Reply.error(404, 40402, "Version " + p[3] + " not found.") : subjectNotFound(subject);
                    }
                    return Reply.ok(describe(subject, r));
                }
            }
            case "schemas" -> {
                if (p.length >= 3 && p[1].equals("ids") && get) {
                    Registered r = byId.get(Integer.parseInt(p[2]));
                    if (r == null) {
                        return Reply.error(404, 40403, "Schema " + p[2] + " not found");
                    }
                    if (p.length == 4 && p[3].equals("schema")) {
                        return Reply.ok(JSON.readTree(r.text()));
                    }
                    return Reply.ok(JSON.createObjectNode().put("schema", r.text()));
                }
            }
            case "compatibility" -> {
                if (p.length == 5 && p[1].equals("subjects") && p[3].equals("versions") && post) {
                    Schema candidate = parse(body);
                    List<Registered> versions = bySubject.get(p[2]);
                    if (versions == null || versions.isEmpty()) {
                        return Reply.ok(JSON.createObjectNode().put("is_compatible", true));
                    }
                    Registered against = version(p[2], p[4]);
                    if (against == null) {
                        return Reply.error(404, 40402, "Version " + p[4] + " not found.");
                    }
                    String level = level(p[2]);
                    List<Registered> set = level.endsWith("_TRANSITIVE") ? versions : List.of(against);
                    List<String> problems = incompatibilities(level, candidate, set);
                    ObjectNode n = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
                    if (query.contains("verbose=true")) {
                        ArrayNode msgs = n.putArray("messages");
                        problems.forEach(msgs::add);
                    }
                    return Reply.ok(n);
                }
            }
            case "config" -> {
                if (p.length == 1 && get) {
                    return Reply.ok(JSON.createObjectNode().put("compatibilityLevel", globalLevel));
                }
                if (p.length == 2 && get) {
                    String level = subjectLevels.get(p[1]);
                    if (level == null && !query.contains("defaultToGlobal=true")) {
                        return Reply.error(404, 40408, "Subject '" + p[1] + "' does not have subject-level compatibility configured");
                    }
                    return Reply.ok(JSON.createObjectNode().put("compatibilityLevel", level == null ? globalLevel : level));
                }
                if (put) {
                    String level = JSON.readTree(body).path("compatibility").asText("").toUpperCase();
                    if (!LEVELS.contains(level)) {
                        return Reply.error(422, 42203, "Invalid compatibility level: " + level);
                    }
                    ObjectNode key = JSON.createObjectNode().put("keytype", "CONFIG").put("magic", 0);
                    if (p.length == 2) {
                        key.put("subject", p[1]);
                    } else {
                        key.putNull("subject");
                    }
                    append(key, JSON.createObjectNode().put("compatibilityLevel", level));
                    return Reply.ok(JSON.createObjectNode().put("compatibility", level));
                }
            }
            default -> {
                // e.g. Confluent's JS client asks GET /associations/resources/-/<topic> first and falls back on 404
            }
        }
        return Reply.error(404, 404, "HTTP 404 Not Found: " + method + " " + path);
    }

    private static Schema parse(String body) throws IOException {
        JsonNode n = JSON.readTree(body);
        String type = n.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw new SchemaParseException("only AVRO schemas are supported here, not " + type);
        }
        if (!n.hasNonNull("schema")) {
            throw new SchemaParseException("request has no 'schema'");
        }
        return new Schema.Parser().setValidateDefaults(true).parse(n.get("schema").asText());
    }

    private Reply subjectNotFound(String subject) {
        return Reply.error(404, 40401, "Subject '" + subject + "' not found.");
    }

    private Registered version(String subject, String which) {
        List<Registered> versions = bySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            return null;
        }
        if (which.equals("latest") || which.equals("-1")) {
            return versions.get(versions.size() - 1);
        }
        int v = Integer.parseInt(which);
        return versions.stream().filter(r -> r.version() == v).findFirst().orElse(null);
    }

    private ObjectNode describe(String subject, Registered r) {
        return JSON.createObjectNode().put("subject", subject).put("version", r.version()).put("id", r.id())
                .put("schema", r.text());
    }

    private Reply lookup(String subject, Schema schema) {
        List<Registered> versions = bySubject.get(subject);
        if (versions == null) {
            return subjectNotFound(subject);
        }
        for (Registered r : versions) {
            if (r.schema().equals(schema)) {
                return Reply.ok(describe(subject, r));
            }
        }
        return Reply.error(404, 40403, "Schema not found");
    }

    private Reply register(String subject, Schema schema) {
        List<Registered> versions = bySubject.getOrDefault(subject, List.of());
        for (Registered r : versions) {
            if (r.schema().equals(schema)) {
                return Reply.ok(JSON.createObjectNode().put("id", r.id()));
            }
        }
        if (!versions.isEmpty()) {
            String level = level(subject);
            List<Registered> against = level.endsWith("_TRANSITIVE") ? versions : List.of(versions.get(versions.size() - 1));
            List<String> problems = incompatibilities(level, schema, against);
            if (!problems.isEmpty()) {
                return Reply.error(409, 409, "Schema being registered is incompatible with an earlier schema for subject \""
                        + subject + "\" (" + level + "): " + String.join("; ", problems));
            }
        }
        int id = byId.values().stream().filter(r -> r.schema().equals(schema)).mapToInt(Registered::id).findFirst()
                .orElse(byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1);
        int version = lastVersion.getOrDefault(subject, 0) + 1;
        appendSchema(subject, version, id, schema.toString(), false);
        LOG.info("registered schema id {} as version {} of subject {}", id, version, subject);
        return Reply.ok(JSON.createObjectNode().put("id", id));
    }

    private void appendSchema(String subject, int version, int id, String schema, boolean deleted) {
        ObjectNode key = JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", subject).put("version", version)
                .put("magic", 1);
        ObjectNode value = JSON.createObjectNode().put("subject", subject).put("version", version).put("id", id)
                .put("schema", schema).put("deleted", deleted);
        append(key, value);
    }

    /** Soft delete, as Confluent's: the versions leave the subject, their ids still resolve. */
    private Reply delete(String subject, String which) {
        List<Registered> versions = bySubject.get(subject);
        if (versions == null) {
            return subjectNotFound(subject);
        }
        List<Registered> doomed = which == null ? List.copyOf(versions) : versionList(subject, which);
        if (doomed.isEmpty()) {
            return Reply.error(404, 40402, "Version " + which + " not found.");
        }
        ArrayNode deleted = JSON.createArrayNode();
        for (Registered r : doomed) {
            appendSchema(subject, r.version(), r.id(), r.text(), true);
            deleted.add(r.version());
        }
        LOG.info("deleted version(s) {} of subject {}", deleted, subject);
        return Reply.ok(which == null ? deleted : deleted.get(0));
    }

    private List<Registered> versionList(String subject, String which) {
        Registered r = version(subject, which);
        return r == null ? List.of() : List.of(r);
    }

    private String level(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    /** Reasons the candidate is incompatible with each earlier schema under the level (empty = compatible). */
    private static List<String> incompatibilities(String level, Schema candidate, List<Registered> earlier) {
        List<String> out = new ArrayList<>();
        if (level.equals("NONE")) {
            return out;
        }
        boolean backward = level.startsWith("BACKWARD") || level.startsWith("FULL");
        boolean forward = level.startsWith("FORWARD") || level.startsWith("FULL");
        for (Registered r : earlier) {
            if (backward) {
                check(SchemaCompatibility.checkReaderWriterCompatibility(candidate, r.schema()), "new schema cannot read version " + r.version(), out);
            }
            if (forward) {
                check(SchemaCompatibility.checkReaderWriterCompatibility(r.schema(), candidate), "version " + r.version() + " cannot read the new schema", out);
            }
        }
        return out;
    }

    private static void check(SchemaCompatibility.SchemaPairCompatibility c, String what, List<String> out) {
        if (c.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            out.add(what + ": " + c.getResult().getIncompatibilities().stream()
                    .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")").toList());
        }
    }
}
