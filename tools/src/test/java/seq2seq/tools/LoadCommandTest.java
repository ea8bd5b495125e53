package seq2seq.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import seq2seq.generation.Engine;
import seq2seq.service.EngineLoader;
import seq2seq.service.PipelineService;
import seq2seq.service.config.AppConfig;
import seq2seq.service.config.Settings;
import seq2seq.streams.PipelineEvents;
import seq2seq.tools.embedded.EmbeddedStack;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `bench --load` end to end on the tiny bundle: in-process broker, registry and pipeline, a warm-up sweep, two short
 * rates, two variants.
 */
class LoadCommandTest {

    @Test
    @Timeout(300)
    void sweepsTwoRatesThroughTheEmbeddedStack(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute("bench", "--load", "--model", "testdata/models/tiny", "--load-seconds", "1.5",
                "--load-warmup-seconds", "0.5", "--load-rates", "0.2,0.6", "--load-backlog", "100", "--load-drain-seconds", "60",
                "--variants", "fixed", "--variants", "linger5:batch.linger.ms=5", "--json", "--out", dir.toString());
        assertEquals(0, rc, err.toString());
        String md = Files.readString(dir.resolve("load-report.md"));
        assertTrue(md.contains("## fixed") && md.contains("## linger5"), md);
        // the throwaway warm-up sweep ran first and is stated, not reported as a variant
        assertTrue(err.toString().contains("warm-up sweep of fixed"), err.toString());
        assertTrue(md.contains("- warm-up sweep: a throwaway pipeline"), md);
        assertTrue(Files.size(dir.resolve("load-chart.png")) > 1000);
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertTrue(json.get("maxSustainableThroughput").asDouble() > 0, out.toString());
        assertEquals(2, json.get("variants").size());
        for (JsonNode v : json.get("variants")) {
            assertTrue(v.get("maxSustainableThroughput").asDouble() > 0);
            assertEquals(2, v.get("rates").size());
            for (JsonNode r : v.get("rates")) {
                assertTrue(r.get("measured").asInt() > 0, r.toString());
                assertEquals(r.get("measured").asInt(), r.get("answered").asInt(), "every request answered: " + r);
                double p50 = r.get("p50Ms").asDouble();
                double p99 = r.get("p99Ms").asDouble();
                double p999 = r.get("p999Ms").asDouble();
                assertTrue(0 < p50 && p50 <= p99 && p99 <= p999, r.toString());
                assertTrue(r.get("achieved").asDouble() > 0, r.toString());
            }
            // the same rate for both variants, from the first one's maximum, with the same seeded schedule
        }
        assertEquals(json.get("variants").get(0).get("rates").get(1).get("offered").asDouble(),
                json.get("variants").get(1).get("rates").get(1).get("offered").asDouble());
    }

    /** Against a cluster where an instance already runs (--bootstrap, --registry, --config for its topics). */
    @Test
    @Timeout(300)
    void loadsARunningInstance(@TempDir Path dir) throws Exception {
        try (EmbeddedStack stack = EmbeddedStack.start()) {
            Map<String, String> c = Map.of(Settings.MODEL_DIR.name(), "testdata/models/tiny",
                    Settings.REQUESTS_TOPIC.name(), "remote-requests", Settings.TRANSLATIONS_TOPIC.name(), "remote-translations",
                    Settings.FAILURES_TOPIC.name(), "remote-failures");
            AppConfig config = stack.config("remote", c);
            stack.createTopics(config.pipeline(), 2);
            Path props = dir.resolve("instance.properties");
            Files.writeString(props, "topic.requests=remote-requests\ntopic.translations=remote-translations\n"
                    + "topic.failures=remote-failures\n");
            try (Engine engine = EngineLoader.load(config);
                 PipelineService service = new PipelineService(config, engine, PipelineEvents.NONE)) {
                service.start();
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                CommandLine cl = Main.commandLine();
                cl.setOut(new PrintWriter(out, true));
                cl.setErr(new PrintWriter(err, true));
                int rc = cl.execute("bench", "--load", "--bootstrap", stack.bootstrapServers(), "--registry", stack.registryUrl(),
                        "--config", props.toString(), "--load-seconds", "1", "--load-warmup-seconds", "0.5", "--load-rates", "0.5",
                        "--load-backlog", "60", "--out", dir.toString());
                assertEquals(0, rc, err.toString());
                String md = Files.readString(dir.resolve("load-report.md"));
                assertTrue(md.contains("a running instance at " + stack.bootstrapServers()), md);
                assertTrue(md.contains("remote-requests → remote-translations"), md);
                assertTrue(out.toString().contains("(50 %)"), out.toString()); // the Markdown on stdout without --json
                // variants with overrides make no sense against someone else's instance
                assertEquals(2, Main.commandLine().execute("bench", "--load", "--bootstrap", stack.bootstrapServers(),
                        "--variants", "x:batch.size=4", "--out", dir.toString()));
            }
        }
    }
}
