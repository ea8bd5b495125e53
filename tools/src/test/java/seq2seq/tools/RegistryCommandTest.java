package seq2seq.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import seq2seq.avro.TranslationRequest;
import seq2seq.tools.embedded.EmbeddedKafka;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `registry` as the process of its own that it is meant to be: it prints its URL, serves the registry API, keeps
 * schema ids across a restart on the same broker, and stops with exit 0 on SIGTERM.
 */
@Timeout(240)
class RegistryCommandTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    @TempDir
    Path dir;

    /** A running `registry` process, its first lines of output and its log. */
    private record Registry(Process process, List<String> lines, File log) {
        String url() {
            return lines.get(0);
        }

        /** Sends SIGTERM and returns the exit status. */
        int stop() throws Exception {
            process.destroy();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "registry did not stop on SIGTERM: " + Files.readString(log.toPath()));
            return process.exitValue();
        }
    }

    private Registry start(int lines, String... args) throws Exception {
        File log = Files.createTempFile(dir, "registry", ".log").toFile();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "registry"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(log).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<List<String>> first = CompletableFuture.supplyAsync(() -> {
            List<String> read = new ArrayList<>();
            try {
                for (int i = 0; i < lines; i++) {
                    String line = out.readLine();
                    if (line == null) {
                        break;
                    }
                    read.add(line);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return read;
        });
        List<String> read;
        try {
            read = first.get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            throw new AssertionError("registry printed no URL; its log:\n" + Files.readString(log.toPath()), e);
        }
        assertEquals(lines, read.size(), "registry printed " + read + "; its log:\n" + Files.readString(log.toPath()));
        assertTrue(read.get(0).matches("http://127\\.0\\.0\\.1:\\d+"), "the first line is the URL: " + read);
        return new Registry(p, read, log);
    }

    static HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", CONTENT_TYPE);
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheApiKeepsIdsAcrossARestartAndStopsOnSigterm() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String schema = json.writeValueAsString(json.createObjectNode().put("schema", TranslationRequest.getClassSchema().toString()));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(1)) {
            Registry first = start(1, "--bootstrap", kafka.bootstrapServers(), "--port", "0");
            int id;
            try {
                HttpResponse<String> registered = send("POST", first.url() + "/subjects/translation-requests-value/versions", schema);
                assertEquals(200, registered.statusCode(), registered.body());
                id = json.readTree(registered.body()).get("id").asInt();
            } finally {
                assertEquals(0, first.stop(), "a SIGTERM stop exits 0");
            }

            Registry second = start(1, "--bootstrap", kafka.bootstrapServers(), "--port", "0");
            try {
                HttpResponse<String> byId = send("GET", second.url() + "/schemas/ids/" + id, null);
                assertEquals(200, byId.statusCode(), "the id survives a restart: " + byId.body());
                assertEquals(TranslationRequest.getClassSchema().toString(),
                        new org.apache.avro.Schema.Parser().parse(json.readTree(byId.body()).get("schema").asText()).toString());
                assertEquals("[\"translation-requests-value\"]", send("GET", second.url() + "/subjects", null).body());
            } finally {
                assertEquals(0, second.stop());
            }
        }
    }

    @Test
    void withAnEmbeddedBrokerItNeedsNothingElse() throws Exception {
        Registry r = start(2, "--embedded-broker", "--port", "0");
        try {
            assertTrue(r.lines().get(1).matches("[\\w.-]+:\\d+(,[\\w.-]+:\\d+)*"), "the second line is the broker: " + r.lines());
            HttpResponse<String> subjects = send("GET", r.url() + "/subjects", null);
            assertEquals(200, subjects.statusCode());
            assertEquals("[]", subjects.body());
        } finally {
            assertEquals(0, r.stop());
        }
    }

    @Test
    void aBadPortIsABadArgument() {
        var err = new java.io.StringWriter();
        var cl = Main.commandLine();
        cl.setErr(new java.io.PrintWriter(err, true));
        assertEquals(2, cl.execute("registry", "--port", "70000"));
        assertTrue(err.toString().contains("--port"), err.toString());
    }
}
