package seq2seq.service.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import seq2seq.service.config.Property;
import seq2seq.service.config.Settings;

/**
 * What can be checked of docker/ without a Docker engine: the compose file parses (docker-compose 1.29 validates it
 * offline), the Dockerfile copies paths that exist in the project, and every setting the containers pass is a real
 * configuration key of the application.
 */
@Timeout(60)
class DockerFilesTest {
    static final Path DOCKER = Path.of("docker");
    static final Pattern ENV_VAR = Pattern.compile("\\b(S2S_[A-Z0-9_]+)\\b");

    @Test
    void composeFileIsValid() throws Exception {
        String missing = "docker-compose is not installed (apt-get install docker-compose; .ci/run does)";
        if (System.getenv("CI") != null) {
            assertTrue(onPath("docker-compose"), missing); // CI must not skip
        } else {
            assumeTrue(onPath("docker-compose"), missing);
        }
        Process p = new ProcessBuilder("docker-compose", "-f", DOCKER.resolve("compose.yml").toString(), "config", "--quiet")
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "docker-compose config did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "docker-compose rejected docker/compose.yml:\n" + out);
    }

    @Test
    void composeHasBrokerRegistryThreeInstancesAndPrometheus() throws IOException {
        String compose = Files.readString(DOCKER.resolve("compose.yml"));
        assertTrue(compose.contains("image: apache/kafka"), "KRaft broker");
        assertTrue(compose.contains("image: confluentinc/cp-schema-registry"), "Confluent Schema Registry");
        for (int i = 1; i <= 3; i++) {
            assertTrue(compose.contains("translator-" + i + ":"), "instance " + i);
        }
        assertTrue(compose.contains("prom/prometheus"), "Prometheus");
        String prometheus = Files.readString(DOCKER.resolve("prometheus.yml"));
        for (int i = 1; i <= 3; i++) {
            assertTrue(prometheus.contains("translator-" + i + ":8080"), "Prometheus scrapes instance " + i);
        }
        assertTrue(compose.contains("S2S_OPS_PORT: \"8080\""), "the scraped port is the ops port");
    }

    @Test
    void dockerfileCopiesPathsThatExist() throws IOException {
        List<String> missing = new ArrayList<>();
        for (String line : Files.readAllLines(DOCKER.resolve("Dockerfile"))) {
            String l = line.trim();
            if (!l.startsWith("COPY ") || l.contains("--from=")) {
                continue;
            }
            String[] parts = l.substring(5).trim().split("\\s+");
            for (int i = 0; i < parts.length - 1; i++) {
                if (!Files.exists(Path.of(parts[i]))) {
                    missing.add(parts[i]);
                }
            }
        }
        assertTrue(missing.isEmpty(), "Dockerfile copies paths that are not in the project: " + missing);
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        assertTrue(dockerfile.contains("USER s2s"), "runs as a non-root user");
        assertTrue(dockerfile.contains("service/target/seq2seq-streams-service.jar"), "the service jar, as service/pom.xml names it");
    }

    @Test
    void everySettingTheContainersPassIsAConfigurationKey() throws IOException {
        Set<String> known = Settings.all().stream().map(Property::name).collect(Collectors.toSet());
        List<String> unknown = new ArrayList<>();
        for (String file : List.of("compose.yml", "Dockerfile")) {
            Matcher m = ENV_VAR.matcher(Files.readString(DOCKER.resolve(file)));
            while (m.find()) {
                String key = Property.propertyOf(m.group(1));
                if (!isKey(key, known)) {
                    unknown.add(file + ": " + m.group(1) + " -> " + key);
                }
            }
        }
        Properties props = new Properties();
        try (var in = Files.newBufferedReader(DOCKER.resolve("application.properties"))) {
            props.load(in);
        }
        for (String key : props.stringPropertyNames()) {
            if (!isKey(key, known)) {
                unknown.add("application.properties: " + key);
            }
        }
        assertTrue(unknown.isEmpty(), "settings that the application does not know: " + unknown);
        assertTrue(props.size() >= 5);
    }

    /** A declared property, or a Kafka / registry setting passed through under its prefix. */
    static boolean isKey(String key, Set<String> known) {
        return key != null && (known.contains(key) || key.startsWith(Settings.KAFKA_PREFIX) && key.length() > 6
                || key.startsWith(Settings.REGISTRY_PREFIX) && key.length() > 9);
    }

    private static boolean onPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }
}
