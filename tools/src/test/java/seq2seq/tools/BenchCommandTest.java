package seq2seq.tools;

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

class BenchCommandTest {

    /** A small run on the tiny bundle, Java side only: the report files and the table come out. */
    @Test
    @Timeout(120)
    void writesTheReport(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        int rc = cl.execute("bench", "--model", "testdata/models/tiny", "--batch", "1,4", "--beams", "1,2",
                "--dtype", "fp32", "--min-sentences", "4", "--batches-per-config", "1", "--no-node", "--gemm-seconds", "0.2",
                "--soak-seconds", "1", "--repeats", "2", "--out", dir.toString());
        assertEquals(0, rc);
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| tiny | fp32 | beam 2 | 4 |"), md);
        // two repeats: one table line per configuration, with the median and the range of its two runs
        assertTrue(md.contains("- repeats: 2"), md);
        assertTrue(java.util.regex.Pattern.compile("\\| tiny \\| fp32 \\| greedy \\| 4 \\| \\d+ \\(\\d+–\\d+\\) \\|").matcher(md).find(), md);
        assertEquals(8, Files.readString(dir.resolve("report.json")).split("\"runtime\" : \"java\"", -1).length - 1);
        assertTrue(md.contains("Long run: tiny"), md);
        assertTrue(Files.readString(dir.resolve("report.json")).contains("\"rooflineTokensPerSecond\""));
        assertTrue(out.toString().contains("| tiny | fp32 | greedy | 1 |"), out.toString());
    }

    @Test
    @Timeout(30)
    void aMissingInputFileExitsWith2(@TempDir Path dir) {
        assertEquals(2, Main.commandLine().execute("bench", "--model", "testdata/models/tiny",
                "--input", dir.resolve("nope").toString(), "--out", dir.toString()));
    }
}
