package seq2seq.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `bench --load` end to end on the tiny bundle: in-process broker, registry and pipeline, two short rates, two variants. */
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
}
