package seq2seq.streams.registry;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;

/**
 * A small client of the Confluent Schema Registry REST API: register, look up, compatibility, subject config.
 * Schemas and ids are cached both ways (they are immutable in a registry), so the hot path never calls out.
 * Takes Confluent's configuration keys, so the same properties file works with Confluent's own serdes.
 */
public final class SchemaRegistryClient {
    public static final String URL = "schema.registry.url";
    public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String USER_INFO = "basic.auth.user.info";
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Registered version of a schema under a subject. */
    public record SchemaVersion(String subject, int id, int version, Schema schema) {
    }

    private final List<URI> baseUrls;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
    private final Map<String, Integer> idBySubjectAndSchema = new ConcurrentHashMap<>();

    public SchemaRegistryClient(String urls, String userInfo) {
        if (urls == null || urls.isBlank()) {
            throw new IllegalArgumentException("'" + URL + "' is not set: the schema registry's URL is required");
        }
        List<URI> list = new ArrayList<>();
        String credentials = userInfo;
        for (String u : urls.split(",")) {
            String s = u.trim();
            URI uri = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
            if (uri.getRawUserInfo() != null) {
                // credentials in the URL (basic.auth.credentials.source=URL) go into the header, not onto the wire as is
                credentials = credentials == null || credentials.isBlank() ? uri.getUserInfo() : credentials;
                uri = URI.create(uri.getScheme() + "://" + uri.getRawAuthority().substring(uri.getRawUserInfo().length() + 1)
                        + (uri.getRawPath() == null ? "" : uri.getRawPath()));
            }
            list.add(uri);
        }
        this.baseUrls = List.copyOf(list);
        this.authorization = credentials == null || credentials.isBlank() ? null
                : "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    /** From Confluent-style settings: schema.registry.url, basic.auth.credentials.source=USER_INFO, basic.auth.user.info. */
    public static SchemaRegistryClient fromConfig(Map<String, ?> config) {
        Object url = config.get(URL);
        Object source = config.get(CREDENTIALS_SOURCE);
        Object userInfo = config.get(USER_INFO);
        if (source != null && !"USER_INFO".equalsIgnoreCase(source.toString()) && !"URL".equalsIgnoreCase(source.toString())) {
            throw new IllegalArgumentException("'" + CREDENTIALS_SOURCE + "' = " + source + " is not supported (USER_INFO or URL)");
        }
        // USER_INFO (Confluent's default source) takes basic.auth.user.info; URL takes the user info in the URL
        boolean fromUrl = source != null && "URL".equalsIgnoreCase(source.toString());
        String ui = fromUrl || userInfo == null ? null : userInfo.toString();
        return new SchemaRegistryClient(url == null ? null : url.toString(), ui);
    }

    /** Registers the schema under the subject (idempotent) and returns its global id. */
    public int register(String subject, Schema schema) {
        String cacheKey = subject + "\u0000" + schema.toString();
        Integer cached = idBySubjectAndSchema.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        JsonNode r = call("POST", "/subjects/" + enc(subject) + "/versions", body(schema));
        int id = field(r, "id", "registering under subject " + subject).asInt();
        byId.putIfAbsent(id, schema);
        idBySubjectAndSchema.put(cacheKey, id);
        return id;
    }

    /** The id of a schema already registered under the subject, without registering it. */
    public SchemaVersion lookup(String subject, Schema schema) {
        JsonNode r = call("POST", "/subjects/" + enc(subject), body(schema));
        SchemaVersion v = version(r, subject);
        idBySubjectAndSchema.put(subject + "\u0000" + schema.toString(), v.id());
        return v;
    }

    /** The schema with this global id. */
    public Schema schemaById(int id) {
        Schema s = byId.get(id);
        if (s != null) {
            return s;
        }
        JsonNode r = call("GET", "/schemas/ids/" + id, null);
        Schema parsed = new Schema.Parser().parse(field(r, "schema", "schema id " + id).asText());
        byId.putIfAbsent(id, parsed);
        return parsed;
    }

    /** The latest version registered under the subject. */
    public SchemaVersion latest(String subject) {
        return version(call("GET", "/subjects/" + enc(subject) + "/versions/latest", null), subject);
    }

    /** Whether the schema is compatible with the subject's latest version under the subject's compatibility level. */
    public boolean isCompatible(String subject, Schema schema) {
        return call("POST", "/compatibility/subjects/" + enc(subject) + "/versions/latest", body(schema))
                .path("is_compatible").asBoolean(false);
    }

    /** The subject's compatibility level (falls back to the global level, as the registry does). */
    public String compatibility(String subject) {
        try {
            return call("GET", "/config/" + enc(subject) + "?defaultToGlobal=true", null).path("compatibilityLevel").asText();
        } catch (SchemaRegistryException e) {
            if (e.status() == 404) {
                return call("GET", "/config", null).path("compatibilityLevel").asText();
            }
            throw e;
        }
    }

    /** Sets the subject's compatibility level (BACKWARD, FORWARD, FULL, NONE and their _TRANSITIVE forms). */
    public void setCompatibility(String subject, String level) {
        ObjectNode b = JSON.createObjectNode().put("compatibility", level);
        call("PUT", "/config/" + enc(subject), b.toString());
    }

    /** Soft-deletes every version of the subject (ids keep resolving); returns the deleted version numbers. */
    public List<Integer> deleteSubject(String subject) {
        List<Integer> out = new ArrayList<>();
        call("DELETE", "/subjects/" + enc(subject), null).forEach(n -> out.add(n.asInt()));
        idBySubjectAndSchema.keySet().removeIf(k -> k.startsWith(subject + "\u0000"));
        return out;
    }

    /** All subjects. */
    public List<String> subjects() {
        List<String> out = new ArrayList<>();
        call("GET", "/subjects", null).forEach(n -> out.add(n.asText()));
        return out;
    }

    private SchemaVersion version(JsonNode r, String subject) {
        Schema schema = new Schema.Parser().parse(field(r, "schema", "subject " + subject).asText());
        int id = field(r, "id", "subject " + subject).asInt();
        byId.putIfAbsent(id, schema);
        return new SchemaVersion(r.path("subject").asText(subject), id, r.path("version").asInt(), schema);
    }

    private static String body(Schema schema) {
        ObjectNode b = JSON.createObjectNode();
        b.put("schema", schema.toString());
        b.put("schemaType", "AVRO");
        return b.toString();
    }

    /** Percent-encodes a path segment (URLEncoder is for forms: it would turn a space into '+'). */
    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The body as JSON; an empty body is an empty object; null when it is not JSON (an HTML page from a proxy, say). */
    private static JsonNode parseLeniently(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        String t = s == null ? "" : s.strip();
        return t.length() <= 200 ? t : t.substring(0, 200) + "…";
    }

    /** The named field of a registry reply; a reply without it is a clear error, not a NullPointerException. */
    private static JsonNode field(JsonNode reply, String name, String what) {
        JsonNode n = reply.get(name);
        if (n == null || n.isNull()) {
            throw new SchemaRegistryException("schema registry reply to " + what + " has no '" + name + "': "
                    + abbreviate(reply.toString()), 200, -1);
        }
        return n;
    }

    private JsonNode call(String method, String path, String body) {
        SchemaRegistryException last = null;
        for (URI base : baseUrls) {
            URI uri = URI.create(base + path);
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Accept", CONTENT_TYPE + ", application/json");
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            if (body != null) {
                b.header("Content-Type", CONTENT_TYPE);
            }
            try {
                HttpResponse<String> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                JsonNode json = parseLeniently(resp.body());
                if (resp.statusCode() / 100 == 2) {
                    if (json == null) {
                        throw new SchemaRegistryException("schema registry " + method + " " + uri + " -> HTTP "
                                + resp.statusCode() + " with a body that is not JSON: " + abbreviate(resp.body()),
                                resp.statusCode(), -1);
                    }
                    return json;
                }
                int code = json == null ? resp.statusCode() : json.path("error_code").asInt(resp.statusCode());
                String message = json == null ? abbreviate(resp.body()) : json.path("message").asText(abbreviate(resp.body()));
                throw new SchemaRegistryException("schema registry " + method + " " + uri + " -> HTTP " + resp.statusCode()
                        + " (error " + code + "): " + message, resp.statusCode(), code);
            } catch (IOException e) {
                last = new SchemaRegistryException("schema registry " + method + " " + uri + " unreachable: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted calling " + uri, e);
            }
        }
        throw last;
    }
}
