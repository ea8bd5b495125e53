package seq2seq.tools.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry that speaks the Confluent Schema Registry REST API, for `demo` and the tests (Confluent's server
 * cannot be installed here). Like Confluent's, it keeps every schema and config change in a compacted Kafka topic
 * ({@code _schemas}), replays it at start-up, so ids survive a restart, and reads what is new there before each request, so
 * several registries on one cluster share ids; compatibility is checked for real with
 * Avro's {@link SchemaCompatibility} (BACKWARD by default, per subject or global, transitive forms included).
 * One writer at a time (synchronized), which is all a single embedded instance needs. Its state lives in
 * {@link SchemaStore}, compatibility in {@link Compatibility}.
 * <p>
 * Longer than most classes, on purpose: the REST API's routes stay together, to be read against Confluent's.
 */
public final class EmbeddedRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRegistry.class);
    public static final String TOPIC = SchemaStore.TOPIC;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "embedded-registry");
        t.setDaemon(true);
        return t;
    });
    /** the schemas and configs, kept in _schemas; used only inside synchronized route() */
    private final SchemaStore store;
    /** Expected Authorization header value, or null when the registry is open (the default). */
    private final String requiredAuthorization;

    private EmbeddedRegistry(String bootstrapServers, int port, String requiredUserInfo) throws IOException {
        this.requiredAuthorization = requiredUserInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(requiredUserInfo.getBytes(StandardCharsets.UTF_8));
        this.store = new SchemaStore(bootstrapServers);
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
            LOG.info("embedded schema registry at {} ({} schemas restored from {})", r.url(), r.store.byId.size(), TOPIC);
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
        synchronized (this) { // waits for a request still in route()
            store.close();
        }
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
        store.catchUp();
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
                    store.bySubject.keySet().forEach(a::add);
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
                    List<RegisteredSchema> versions = store.bySubject.get(subject);
                    if (versions == null) {
                        return subjectNotFound(subject);
                    }
                    ArrayNode a = JSON.createArrayNode();
                    versions.forEach(r -> a.add(r.version()));
                    return Reply.ok(a);
                }
                if (p.length == 4 && p[2].equals("versions") && get) {
                    RegisteredSchema r = store.version(subject, p[3]);
                    if (r == null) {
                        return store.bySubject.containsKey(subject)
                                ? Reply.error(404, 40402, "Version " + p[3] + " not found.") : subjectNotFound(subject);
                    }
                    return Reply.ok(describe(subject, r));
                }
            }
            case "schemas" -> {
                if (p.length >= 3 && p[1].equals("ids") && get) {
                    RegisteredSchema r = store.byId.get(Integer.parseInt(p[2]));
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
                    List<RegisteredSchema> versions = store.bySubject.get(p[2]);
                    if (versions == null || versions.isEmpty()) {
                        return Reply.ok(JSON.createObjectNode().put("is_compatible", true));
                    }
                    RegisteredSchema against = store.version(p[2], p[4]);
                    if (against == null) {
                        return Reply.error(404, 40402, "Version " + p[4] + " not found.");
                    }
                    String level = store.level(p[2]);
                    List<RegisteredSchema> set = Compatibility.against(level, versions, against);
                    List<String> problems = Compatibility.incompatibilities(level, candidate, set);
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
                    return Reply.ok(JSON.createObjectNode().put("compatibilityLevel", store.globalLevel));
                }
                if (p.length == 2 && get) {
                    String level = store.subjectLevels.get(p[1]);
                    if (level == null && !query.contains("defaultToGlobal=true")) {
                        return Reply.error(404, 40408, "Subject '" + p[1] + "' does not have subject-level compatibility configured");
                    }
                    return Reply.ok(JSON.createObjectNode().put("compatibilityLevel", level == null ? store.globalLevel : level));
                }
                if (put) {
                    String level = JSON.readTree(body).path("compatibility").asText("").toUpperCase();
                    if (!Compatibility.LEVELS.contains(level)) {
                        return Reply.error(422, 42203, "Invalid compatibility level: " + level);
                    }
                    store.appendConfig(p.length == 2 ? p[1] : null, level);
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

    private ObjectNode describe(String subject, RegisteredSchema r) {
        return JSON.createObjectNode().put("subject", subject).put("version", r.version()).put("id", r.id())
                .put("schema", r.text());
    }

    private Reply lookup(String subject, Schema schema) {
        List<RegisteredSchema> versions = store.bySubject.get(subject);
        if (versions == null) {
            return subjectNotFound(subject);
        }
        for (RegisteredSchema r : versions) {
            if (r.schema().equals(schema)) {
                return Reply.ok(describe(subject, r));
            }
        }
        return Reply.error(404, 40403, "Schema not found");
    }

    private Reply register(String subject, Schema schema) {
        List<RegisteredSchema> versions = store.bySubject.getOrDefault(subject, List.of());
        for (RegisteredSchema r : versions) {
            if (r.schema().equals(schema)) {
                return Reply.ok(JSON.createObjectNode().put("id", r.id()));
            }
        }
        if (!versions.isEmpty()) {
            String level = store.level(subject);
            List<RegisteredSchema> against = Compatibility.against(level, versions, versions.get(versions.size() - 1));
            List<String> problems = Compatibility.incompatibilities(level, schema, against);
            if (!problems.isEmpty()) {
                return Reply.error(409, 409, "Schema being registered is incompatible with an earlier schema for subject \""
                        + subject + "\" (" + level + "): " + String.join("; ", problems));
            }
        }
        int id = store.byId.values().stream().filter(r -> r.schema().equals(schema)).mapToInt(RegisteredSchema::id).findFirst()
                .orElse(store.byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1);
        int version = store.lastVersion.getOrDefault(subject, 0) + 1;
        store.appendSchema(subject, version, id, schema.toString(), false);
        LOG.info("registered schema id {} as version {} of subject {}", id, version, subject);
        return Reply.ok(JSON.createObjectNode().put("id", id));
    }

    /** Soft delete, as Confluent's: the versions leave the subject, their ids still resolve. */
    private Reply delete(String subject, String which) {
        List<RegisteredSchema> versions = store.bySubject.get(subject);
        if (versions == null) {
            return subjectNotFound(subject);
        }
        List<RegisteredSchema> doomed = which == null ? List.copyOf(versions) : versionList(subject, which);
        if (doomed.isEmpty()) {
            return Reply.error(404, 40402, "Version " + which + " not found.");
        }
        ArrayNode deleted = JSON.createArrayNode();
        for (RegisteredSchema r : doomed) {
            store.appendSchema(subject, r.version(), r.id(), r.text(), true);
            deleted.add(r.version());
        }
        LOG.info("deleted version(s) {} of subject {}", deleted, subject);
        return Reply.ok(which == null ? deleted : deleted.get(0));
    }

    private List<RegisteredSchema> versionList(String subject, String which) {
        RegisteredSchema r = store.version(subject, which);
        return r == null ? List.of() : List.of(r);
    }
}
