package seq2seq.service.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import seq2seq.service.config.Property;
import seq2seq.service.config.Settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kubernetes manifests and the compose file, read as the tools that apply them would read them: every setting they
 * pass is a configuration key of the application, the probes hit the ops endpoints on the ops port, the state lives
 * on a volume, each pod is a static group member, and KEDA watches the consumer group that is the application id.
 */
class DeployManifestsTest {
    static final Path K8S = Path.of("deploy/k8s/seq2seq-streams.yaml");
    static final Path COMPOSE = Path.of("docker/compose.yml");

    /** Each YAML document of the file, aliases and merge keys resolved (SnakeYAML, which Jackson's YAML reader uses). */
    static List<JsonNode> documents(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        try (var in = Files.newBufferedReader(file)) {
            for (Object doc : new org.yaml.snakeyaml.Yaml().loadAll(in)) {
                if (doc != null) {
                    out.add(json.valueToTree(doc));
                }
            }
        }
        return out;
    }

    static JsonNode kind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " in " + K8S));
    }

    @Test
    void kubernetesManifestsMatchTheApplication() throws IOException {
        List<JsonNode> docs = documents(K8S);
        JsonNode config = kind(docs, "ConfigMap").path("data");
        JsonNode sts = kind(docs, "StatefulSet");
        JsonNode pod = sts.path("spec").path("template");
        JsonNode container = pod.path("spec").path("containers").get(0);
        Map<String, String> env = new HashMap<>();
        config.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText("")));
        List<String> unknown = env.keySet().stream().filter(k -> k.startsWith(Property.ENV_PREFIX))
                .filter(k -> !DockerFilesTest.isKey(Property.propertyOf(k), known())).toList();
        assertEquals(List.of(), unknown, "environment variables that set no configuration key");

        int opsPort = Integer.parseInt(env.get(Settings.OPS_PORT.envVar()));
        assertEquals(opsPort, container.path("ports").get(0).path("containerPort").asInt(), "the container port is ops.port");
        String portName = container.path("ports").get(0).path("name").asText();
        assertEquals("/health/ready", container.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals("/health/live", container.path("livenessProbe").path("httpGet").path("path").asText());
        assertEquals("/health/live", container.path("startupProbe").path("httpGet").path("path").asText());
        for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
            assertEquals(portName, container.path(probe).path("httpGet").path("port").asText(), probe + " on the ops port");
        }

        String stateDir = env.get("S2S_KAFKA_STATE_DIR");
        assertNotNull(stateDir, "the state folder is set");
        String mount = container.path("volumeMounts").get(0).path("mountPath").asText();
        assertTrue(stateDir.startsWith(mount + "/"), "the state folder " + stateDir + " is on the volume " + mount);
        String volume = container.path("volumeMounts").get(0).path("name").asText();
        assertEquals(volume, sts.path("spec").path("volumeClaimTemplates").get(0).path("metadata").path("name").asText(),
                "one volume claim per pod");

        JsonNode instanceId = null;
        for (JsonNode e : container.path("env")) {
            if ("S2S_KAFKA_GROUP_INSTANCE_ID".equals(e.path("name").asText())) {
                instanceId = e;
            }
        }
        assertNotNull(instanceId, "group.instance.id from the pod: static membership");
        assertEquals("metadata.name", instanceId.path("valueFrom").path("fieldRef").path("fieldPath").asText());

        Map<String, String> labels = new HashMap<>();
        pod.path("metadata").path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        JsonNode pdb = kind(docs, "PodDisruptionBudget").path("spec");
        pdb.path("selector").path("matchLabels").fields().forEachRemaining(e ->
                assertEquals(e.getValue().asText(), labels.get(e.getKey()), "the disruption budget selects the pods"));

        JsonNode keda = kind(docs, "ScaledObject").path("spec");
        assertEquals(sts.path("metadata").path("name").asText(), keda.path("scaleTargetRef").path("name").asText());
        JsonNode trigger = keda.path("triggers").get(0).path("metadata");
        assertEquals(env.get(Settings.APPLICATION_ID.envVar()), trigger.path("consumerGroup").asText(),
                "KEDA watches the consumer group, which is the application id");
        assertEquals(Settings.REQUESTS_TOPIC.defaultValue(), trigger.path("topic").asText(), "and the input topic");
        assertEquals(env.get(Settings.BOOTSTRAP_SERVERS.envVar()), trigger.path("bootstrapServers").asText());
    }

    /**
     * The pods run the JVM and glibc's allocator as the image does: the heap, and MALLOC_ARENA_MAX that lets an
     * unloaded model version's memory go back (bench/report-rollout-rss.md).
     */
    @Test
    void podsSetTheNativeMemoryEnvironmentOfTheImage() throws IOException {
        String dockerfile = Files.readString(DockerFilesTest.DOCKER.resolve("Dockerfile"));
        JsonNode container = kind(documents(K8S), "StatefulSet").path("spec").path("template").path("spec")
                .path("containers").get(0);
        Map<String, String> env = new HashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText("")));
        for (String variable : List.of("JAVA_TOOL_OPTIONS", "MALLOC_ARENA_MAX")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^(?:ENV)?\\s+" + variable + "=(\"[^\"]*\"|\\S+)")
                    .matcher(dockerfile);
            assertTrue(m.find(), "the Dockerfile sets " + variable);
            assertEquals(m.group(1).replace("\"", ""), env.get(variable), variable + " in " + K8S);
        }
    }

    @Test
    void composeFileMatchesTheApplication() throws IOException {
        JsonNode compose = documents(COMPOSE).get(0);
        JsonNode services = compose.path("services");
        for (String s : List.of("kafka", "schema-registry", "topics", "translator-1", "translator-2", "translator-3", "prometheus")) {
            assertTrue(services.has(s), "service " + s);
        }
        assertTrue(!compose.has("version"), "no obsolete version key");
        for (String s : List.of("kafka", "schema-registry")) {
            assertTrue(services.path(s).has("healthcheck"), s + " has a healthcheck");
        }
        for (int i = 1; i <= 3; i++) {
            JsonNode t = services.path("translator-" + i); // its <<: *app merged by the reader
            assertTrue(t.path("healthcheck").path("test").toString().contains("/health/ready"), "instance " + i + " checks readiness");
            assertEquals("service_healthy", t.path("depends_on").path("kafka").path("condition").asText());
            assertEquals("service_completed_successfully", t.path("depends_on").path("topics").path("condition").asText());
            assertTrue(t.path("volumes").toString().contains("/app/models"), "instance " + i + " mounts the models");
            Set<String> keys = new java.util.TreeSet<>();
            t.path("environment").fieldNames().forEachRemaining(keys::add);
            List<String> unknown = keys.stream().filter(k -> !DockerFilesTest.isKey(Property.propertyOf(k), known())).toList();
            assertEquals(List.of(), unknown, "instance " + i + ": variables that set no configuration key");
        }
        String topics = services.path("topics").path("command").toString();
        for (Property t : List.of(Settings.REQUESTS_TOPIC, Settings.TRANSLATIONS_TOPIC, Settings.FAILURES_TOPIC)) {
            assertTrue(topics.contains(t.defaultValue()), "the topic step creates " + t.defaultValue());
        }
        assertTrue(services.path("kafka").path("ports").toString().contains("9092:9092"),
                "the host reaches the broker on localhost:9092, the commands' default");
    }

    @Test
    void theClusterTemplateAsksForReplicatedState() throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(Path.of("deploy/application.properties"))) {
            p.load(in);
        }
        for (String key : p.stringPropertyNames()) {
            assertTrue(DockerFilesTest.isKey(key, known()), "deploy/application.properties: " + key);
        }
        assertTrue(!"1".equals(p.getProperty(Settings.REPLICATION_FACTOR.name())), "no single-replica changelogs on a cluster");
    }

    private static Set<String> known() {
        return Settings.all().stream().map(Property::name).collect(Collectors.toSet());
    }
}
