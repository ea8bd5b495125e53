package seq2seq.service.docker;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import seq2seq.service.config.Property;
import seq2seq.service.config.Settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Running against a real cluster" section, its Compose and Kubernetes paragraphs included, says what the
 * files and the code do: every file it names exists, every setting it names is one, the topics and partitions it
 * states are the templates', the ports it gives are the compose file's, and the Kubernetes objects it lists are in the
 * manifest.
 */
class ReadmeDeploymentTest {
    private static final String HEADING = "## Running against a real cluster";
    /** a repository path as the README writes it (a link's anchor after '#' is checked separately) */
    private static final Pattern PATH = Pattern.compile("\\b((?:deploy|docker|docs|service|schemas|models|testdata)/[\\w./-]*\\w)(#[\\w-]+)?");
    /** a dotted setting name in backticks, optionally with a value: `topics.create=true` */
    private static final Pattern SETTING = Pattern.compile("`([a-z][a-z0-9-]*(?:\\.[a-z0-9-]+)+)(?:=[^`]*)?`");
    private static String section;

    @BeforeAll
    static void readSection() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf(HEADING);
        assertTrue(start >= 0, "the README has a section " + HEADING);
        int end = readme.indexOf("\n## ", start + HEADING.length());
        section = readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** The bullet that starts with {@code **name**}. */
    private static String bullet(String name) {
        int start = section.indexOf("- **" + name);
        assertTrue(start >= 0, "the section has a bullet " + name);
        int end = section.indexOf("\n- **", start + 1);
        return section.substring(start, end < 0 ? section.length() : end);
    }

    @Test
    void everyFileItNamesExists() throws IOException {
        Matcher m = PATH.matcher(section);
        List<String> missing = new ArrayList<>();
        int named = 0;
        while (m.find()) {
            named++;
            String path = m.group(1);
            if (path.startsWith("service/target/")) { // a build output: the service module's jar
                String pom = Files.readString(Path.of("service/pom.xml"));
                assertTrue(pom.contains("/" + Path.of(path).getFileName() + "</outputFile>"), path + " is what the build writes");
            } else if (!Files.exists(Path.of(path))) {
                missing.add(path);
            } else if (m.group(2) != null) {
                String anchor = m.group(2).substring(1);
                boolean found = Files.readAllLines(Path.of(path)).stream().filter(l -> l.startsWith("#"))
                        .map(l -> l.replaceFirst("^#+\\s*", "").toLowerCase().replaceAll("[^a-z0-9 -]", "").replace(' ', '-'))
                        .anyMatch(anchor::equals);
                assertTrue(found, path + " has a heading for #" + anchor);
            }
        }
        assertTrue(named >= 5, "the section names its files: " + named);
        assertEquals(List.of(), missing, "files the README names that do not exist");
    }

    @Test
    void everySettingItNamesIsOne() {
        Set<String> ours = Settings.all().stream().map(Property::name).collect(Collectors.toSet());
        Set<String> kafka = new java.util.HashSet<>(StreamsConfig.configDef().names());
        kafka.addAll(ConsumerConfig.configNames());
        List<String> unknown = new ArrayList<>();
        Matcher m = SETTING.matcher(section);
        while (m.find()) {
            String name = m.group(1);
            if (name.matches(".*\\.(jar|ya?ml|properties|md|sh)$")) {
                continue;
            }
            if (!ours.contains(name) && !kafka.contains(name)) {
                unknown.add(name);
            }
        }
        Matcher env = Pattern.compile("\\b(S2S_[A-Z0-9_]+)=").matcher(section);
        while (env.find()) {
            if (!DockerFilesTest.isKey(Property.propertyOf(env.group(1)), ours)) {
                unknown.add(env.group(1));
            }
        }
        assertEquals(List.of(), unknown, "names in the section that are neither our settings nor Kafka's");
    }

    @Test
    void topicsAndPartitionsAreTheTemplates() throws IOException {
        String topics = bullet("Topics");
        for (Property t : List.of(Settings.REQUESTS_TOPIC, Settings.TRANSLATIONS_TOPIC, Settings.FAILURES_TOPIC)) {
            assertTrue(topics.contains("`" + t.defaultValue() + "`"), "the Topics bullet names " + t.defaultValue());
        }
        Matcher n = Pattern.compile("\\((\\d+) in the templates\\)").matcher(topics);
        assertTrue(n.find(), "the Topics bullet gives the templates' partitions");
        String partitions = n.group(1);
        assertEquals(Settings.TOPICS_PARTITIONS.defaultValue(), partitions, "topics.partitions' default");
        Properties template = new Properties();
        try (var in = Files.newBufferedReader(Path.of("deploy/application.properties"))) {
            template.load(in);
        }
        assertEquals(partitions, template.getProperty(Settings.TOPICS_PARTITIONS.name(), Settings.TOPICS_PARTITIONS.defaultValue()));
        String topicStep = DeployManifestsTest.documents(DeployManifestsTest.COMPOSE).get(0).path("services").path("topics").toString();
        assertTrue(topicStep.contains("--partitions " + partitions), "the compose file's topic step");
        assertEquals(partitions, kind(DeployManifestsTest.documents(DeployManifestsTest.K8S), "ScaledObject")
                .path("spec").path("maxReplicaCount").asText(), "KEDA scales to at most one pod per partition");
        assertTrue(topics.contains("`kafka-topics.sh`") && topics.contains("`topics.create=true`"),
                "the Topics bullet says how to create them, as Topics.ensure does");
    }

    @Test
    void composeIsWhatTheFileRuns() throws IOException {
        String compose = bullet("Compose");
        JsonNode services = DeployManifestsTest.documents(DeployManifestsTest.COMPOSE).get(0).path("services");
        assertTrue(compose.contains("`localhost:9092`") && services.path("kafka").path("ports").toString().contains("\"9092:9092\""),
                "the broker on localhost:9092");
        assertTrue(compose.contains("`localhost:8081`")
                        && services.path("schema-registry").path("ports").toString().contains("\"8081:8081\""),
                "the registry on localhost:8081");
        List<String> instances = new ArrayList<>();
        services.fieldNames().forEachRemaining(s -> {
            if (s.startsWith("translator-")) {
                instances.add(s);
            }
        });
        assertTrue(compose.contains("three instances"), compose);
        assertEquals(3, instances.size(), "three instances: " + instances);
        assertTrue(compose.contains("Prometheus") && services.has("prometheus"));
        assertTrue(services.path("topics").path("command").toString().contains("kafka-topics.sh"), "a step that creates the topics");
    }

    @Test
    void kubernetesIsWhatTheManifestHolds() throws IOException {
        String k8s = bullet("Kubernetes");
        List<JsonNode> docs = DeployManifestsTest.documents(DeployManifestsTest.K8S);
        for (String kind : List.of("StatefulSet", "PodDisruptionBudget", "ScaledObject")) {
            assertTrue(k8s.contains(kind), "the Kubernetes bullet names the " + kind);
            kind(docs, kind);
        }
        assertTrue(k8s.contains("`group.instance.id`"), k8s);
        JsonNode env = kind(docs, "StatefulSet").path("spec").path("template").path("spec").path("containers").get(0).path("env");
        boolean staticMember = false;
        for (JsonNode e : env) {
            String key = Property.propertyOf(e.path("name").asText());
            staticMember |= key != null && key.endsWith("group.instance.id")
                    && "metadata.name".equals(e.path("valueFrom").path("fieldRef").path("fieldPath").asText());
        }
        assertTrue(staticMember, "group.instance.id from the pod name");
        assertTrue(k8s.contains("probes on the ops port") && kind(docs, "StatefulSet").toString().contains("readinessProbe"));
    }

    private static JsonNode kind(List<JsonNode> docs, String kind) {
        return DeployManifestsTest.kind(docs, kind);
    }
}
