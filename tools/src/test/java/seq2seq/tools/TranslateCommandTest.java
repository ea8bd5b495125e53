package seq2seq.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `translate` as users and outside checks call it: one line out per line in, --json, exit codes. */
@Timeout(300)
class TranslateCommandTest {
    private static final Path TINY = Path.of(System.getProperty("tiny.bundle", "testdata/models/tiny")).toAbsolutePath();

    @TempDir
    Path tmp;

    /** exit code, stdout, stderr */
    private record Run(int exit, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n", -1)).subList(0, out.split("\n", -1).length - 1);
        }
    }

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString().replace("\r\n", "\n"), err.toString());
    }

    @Test
    void oneLineOutPerLineInInOrderBlankLinesIncluded() throws Exception {
        Path in = tmp.resolve("in.txt");
        Files.writeString(in, "Hello world.\n\n   \nThe file could not be opened.\nNaïve café.\n", StandardCharsets.UTF_8);
        Run r = run("translate", "--model", TINY.toString(), "--input", in.toString(), "--beams", "2", "--max-new-tokens", "8");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.lines();
        assertEquals(5, lines.size(), r.out());
        assertEquals("", lines.get(1));
        assertEquals("", lines.get(2));
        assertFalse(lines.get(0).isEmpty());
    }

    @Test
    void jsonHasTokensScoreAndTimings() throws Exception {
        Path in = tmp.resolve("in.txt");
        Files.writeString(in, "Hello world.\n" + "word ".repeat(200) + "\n", StandardCharsets.UTF_8);
        Run r = run("translate", "--model", TINY.toString(), "--input", in.toString(), "--json", "--dtype", "q8",
                "--batch-tokens", "64");
        assertEquals(0, r.exit(), r.err());
        ObjectMapper json = new ObjectMapper();
        List<String> lines = r.lines();
        assertEquals(2, lines.size());
        JsonNode first = json.readTree(lines.get(0));
        assertTrue(first.get("tokens").isArray() && first.get("tokens").size() > 0, lines.get(0));
        assertEquals(first.get("tokens").size(), first.get("outputTokens").asInt());
        assertTrue(first.get("score").isNumber());
        assertTrue(first.get("computeMs").isNumber());
        assertFalse(first.get("truncated").asBoolean());
        assertTrue(json.readTree(lines.get(1)).get("truncated").asBoolean());
    }

    /** --json names the source spans the model could not read; a line of nothing else is copied unless told not to. */
    @Test
    void jsonNamesTheSpansTheModelCannotRead() throws Exception {
        Path in = tmp.resolve("in.txt");
        Files.writeString(in, "Hello 😀 world.\n🚀🚀\n", StandardCharsets.UTF_8);
        ObjectMapper json = new ObjectMapper();
        for (boolean copy : List.of(true, false)) {
            Run r = copy ? run("translate", "--model", TINY.toString(), "--input", in.toString(), "--json")
                    : run("translate", "--model", TINY.toString(), "--input", in.toString(), "--json", "--no-copy-unknowns");
            assertEquals(0, r.exit(), r.err());
            JsonNode first = json.readTree(r.lines().get(0));
            assertEquals("[{\"start\":6,\"end\":8,\"text\":\"😀\"}]", first.get("unknownSpans").toString());
            assertTrue(first.get("unknownPieces").asInt() >= 1);
            JsonNode second = json.readTree(r.lines().get(1));
            assertEquals("🚀🚀", second.get("unknownSpans").get(0).get("text").asText());
            assertEquals(copy, "🚀🚀".equals(second.get("text").asText()), "copied only when on: " + second);
        }
    }

    @Test
    void ortProfileWritesEverySessionsOperatorTimes() throws Exception {
        Path in = tmp.resolve("in.txt");
        Files.writeString(in, "Hello world.\nThe file could not be opened.\n", StandardCharsets.UTF_8);
        Path profiles = tmp.resolve("profiles/run1");
        Run r = run("translate", "--model", TINY.toString(), "--input", in.toString(), "--json", "--beams", "1",
                "--layout", "separate", "--workers", "1", "--ort-profile", profiles.toString());
        assertEquals(0, r.exit(), r.err());
        int longest = 0;
        for (String line : r.lines()) {
            longest = Math.max(longest, new ObjectMapper().readTree(line).get("outputTokens").asInt());
        }
        assertTrue(longest > 1, r.out());
        // one run of the first-step decoder, then one with-past run per further step (one batch: both lines)
        assertEquals(1, modelRuns(profiles, "encoder_model"));
        assertEquals(1, modelRuns(profiles, "decoder_model"));
        int withPast = modelRuns(profiles, "decoder_with_past_model");
        assertTrue(withPast >= longest - 1 && withPast <= longest, withPast + " with-past runs for " + longest + " tokens");
    }

    /** model_run events in the one profile of the named session, after checking that it timed MatMul kernels */
    private static int modelRuns(Path dir, String session) throws Exception {
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches(session + "_\\d{4}-.*\\.json")).toList();
        }
        assertEquals(1, files.size(), session + " profiles in " + dir);
        int runs = 0;
        boolean matMul = false;
        for (JsonNode e : new ObjectMapper().readTree(files.get(0).toFile())) {
            runs += "model_run".equals(e.path("name").asText()) ? 1 : 0;
            matMul |= "MatMul".equals(e.path("args").path("op_name").asText());
        }
        assertTrue(matMul, session + ": no MatMul kernel timed");
        return runs;
    }

    @Test
    void badModelFolderExitsNonZeroNamingTheFile() throws Exception {
        Path bad = tmp.resolve("model");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("config.json"), "{}");
        Path in = tmp.resolve("in.txt");
        Files.writeString(in, "Hello\n");
        Run r = run("translate", "--model", bad.toString(), "--input", in.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("config.json") && r.err().contains("is_encoder_decoder"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void recurrentBundleGivesTheReferenceOutputsGreedyAndBeam4() throws Exception {
        Path recurrent = Path.of("testdata/models/recurrent").toAbsolutePath();
        ObjectMapper json = new ObjectMapper();
        for (String name : new String[] {"greedy", "beam4"}) {
            List<JsonNode> rows = new java.util.ArrayList<>();
            for (String line : Files.readAllLines(Path.of("testdata/golden/recurrent/" + name + ".jsonl"), StandardCharsets.UTF_8)) {
                rows.add(json.readTree(line));
            }
            Path in = tmp.resolve(name + ".txt");
            Files.writeString(in, String.join("\n", rows.stream().map(r -> r.get("text").asText()).toList()) + "\n",
                    StandardCharsets.UTF_8);
            Run r = run("translate", "--model", recurrent.toString(), "--input", in.toString(), "--json",
                    "--beams", name.equals("greedy") ? "1" : "4");
            assertEquals(0, r.exit(), r.err());
            List<String> lines = r.lines();
            assertEquals(rows.size(), lines.size(), r.out());
            for (int i = 0; i < rows.size(); i++) {
                JsonNode got = json.readTree(lines.get(i));
                assertEquals(rows.get(i).get("output").asText(), got.get("text").asText(), name + ": " + rows.get(i).get("text"));
                assertEquals(rows.get(i).get("score").asDouble(), got.get("score").asDouble(), 1e-4, name + ": " + rows.get(i).get("text"));
            }
            // the golden inputs have characters the model never saw (Greek, Japanese, a snowman): reported
            assertTrue(r.err().contains("source characters not in the model's vocabulary") && r.err().contains("\"☃\" x"), r.err());
        }
    }

    @Test
    void badRecurrentBundleExitsNonZeroNamingFileAndField() throws Exception {
        Path bad = tmp.resolve("recurrent");
        Files.createDirectories(bad);
        Path src = Path.of("testdata/models/recurrent");
        for (String f : new String[] {"encoder.onnx", "decoder_step.onnx"}) {
            Files.copy(src.resolve(f), bad.resolve(f));
        }
        Files.writeString(bad.resolve("manifest.json"), Files.readString(src.resolve("manifest.json"))
                .replace("\"latent_dim\": 128", "\"latent_dim\": 64"));
        Path in = tmp.resolve("in.txt");
        Files.writeString(in, "Hello\n");
        Run r = run("translate", "--model", bad.toString(), "--input", in.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("encoder.onnx") && r.err().contains("latent_dim is 64"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void missingInputFileAndBadDtypeAreUsageErrors() {
        assertEquals(2, run("translate", "--model", TINY.toString(), "--input", tmp.resolve("nope.txt").toString()).exit());
        Run r = run("translate", "--model", TINY.toString(), "--dtype", "int3", "--input", tmp.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("dtype"), r.err());
    }
}
