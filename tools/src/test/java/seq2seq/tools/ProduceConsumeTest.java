package seq2seq.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import seq2seq.testing.EmbeddedCluster;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `produce` JSON lines (and plain text) onto the input topic through the registry, `consume` them back as JSON lines. */
@Timeout(180)
class ProduceConsumeTest {
    @RegisterExtension
    static final EmbeddedCluster CLUSTER = EmbeddedCluster.brokers(1).withRegistry();

    @TempDir
    Path dir;

    @Test
    void jsonLinesGoInAndComeBackOut() throws Exception {
        CLUSTER.createTopics(2, "cli-requests");
        Path config = dir.resolve("app.properties");
        Files.writeString(config, "kafka.bootstrap.servers=" + CLUSTER.bootstrapServers() + "\nregistry.url=" + CLUSTER.registryUrl()
                + "\ntopic.requests=cli-requests\n");
        Path input = dir.resolve("in.jsonl");
        Files.writeString(input, """
                {"id": "a", "text": "Hello.", "source_lang": "en", "options": {"num_beams": 2}, "attributes": {"doc": "7"}, "created_at": "2026-01-02T03:04:05Z"}
                Just a plain line of text.

                {"id": "c", "text": "Ünïcödé 😀", "created_at": 1700000000000}
                {"id": "bad"}
                """);
        StringWriter err = new StringWriter();
        int rc = Main.commandLine().setErr(new PrintWriter(err)).execute("produce", "--config", config.toString(), "--input", input.toString());
        assertEquals(1, rc, "one bad line: exit 1");
        assertTrue(err.toString().contains("line 5: field \"text\" (a string) is required"), err.toString());

        StringWriter out = new StringWriter();
        CommandLine consume = Main.commandLine().setOut(new PrintWriter(out));
        assertEquals(0, consume.execute("consume", "--config", config.toString(), "--requests", "--from-beginning", "--max", "3",
                "--idle-timeout", "60"));
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = out.toString().lines().map(l -> {
            try {
                return json.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
        assertEquals(3, rows.size(), out.toString());
        JsonNode a = rows.stream().filter(r -> r.get("id").asText().equals("a")).findFirst().orElseThrow();
        assertEquals("Hello.", a.get("text").asText());
        assertEquals("en", a.get("source_lang").asText());
        assertEquals(2, a.get("options").get("num_beams").asInt());
        assertEquals("7", a.get("attributes").get("doc").asText());
        assertEquals("2026-01-02T03:04:05Z", a.get("created_at").asText());
        assertTrue(rows.stream().anyMatch(r -> r.get("text").asText().equals("Just a plain line of text.")));
        assertTrue(rows.stream().anyMatch(r -> r.get("text").asText().equals("Ünïcödé 😀")));
    }
}
